#!/usr/bin/env node
// LM engine benchmarks against the fake OpenAI server of @dgt/testing. Run after a build:
//   pnpm bench:lm            (builds, then runs this)
//   node bench/lm/run.mjs    (uses the current dist/ folders)
// Writes bench/lm/RESULTS.md. Each scenario is described where it is measured.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { openaiBlock } = await import(join(root, 'packages/blocks-lm/dist/index.js'));
const { parse: parseYaml } = createRequire(join(root, 'packages/core/package.json'))('yaml');
const cli = join(root, 'packages/cli/dist/bin.js');
const task = join(root, 'examples/geography-qa/task.yaml');
const quick = process.argv.includes('--quick');
const scale = quick ? 0.25 : 1;
// `--only c` (or `--only a,c`) measures some scenarios and prints them without writing RESULTS.md.
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? new Set(process.argv[onlyAt + 1].split(',')) : null;
const wanted = (id) => !only || only.has(id);

const work = mkdtempSync(join(tmpdir(), 'dgt-bench-lm-'));
const results = [];
const log = (line) => console.log(line);
// Other work on the machine slows every rate here; CPU per request is less affected.
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
const loadAtStart = load();
log(`load average at start: ${loadAtStart}`);

/** Runs a command in bash and reports its wall time and the CPU time of the process tree. */
function timed(command, env = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // `times` prints the user and system CPU of the shell's finished children.
    const child = spawn(
      'bash',
      ['-c', `${command} > "${work}/stdout" 2> "${work}/stderr"; rc=$?; times; exit $rc`],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const lines = out.trim().split('\n');
      const [user, sys] = (lines.at(-1) ?? '').split(/\s+/).map(parseClock);
      const stdout = readFileSync(join(work, 'stdout'), 'utf8');
      if (code !== 0) {
        reject(
          new Error(`${command} exited ${code}: ${readFileSync(join(work, 'stderr'), 'utf8')}`),
        );
        return;
      }
      resolve({ wallMs, cpuMs: (user ?? 0) + (sys ?? 0), stdout });
    });
  });
}

function parseClock(text) {
  const m = /(\d+)m([\d.]+)s/.exec(text ?? '');
  return m ? (Number(m[1]) * 60 + Number(m[2])) * 1000 : 0;
}

function override(server, extra = '') {
  const file = join(work, `override-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `databuilders:\n  public/examples/geography_qa:\n    blocks:\n      - name: generator\n        type: openai\n        model_id_or_path: fake-model\n        base_url: ${server.baseURL}\n        max_concurrency: 64\n${extra}`,
  );
  return file;
}

async function dgtRun(
  server,
  { outputs, batch, restart = true, cache = false, extra = '', env = {} },
) {
  const out = join(work, 'out');
  const args = [
    'node',
    cli,
    'run',
    '--task-paths',
    task,
    '--config-path',
    // `cache: off` in the override is the same as --no-cache (kept for clarity).
    override(server, `${extra}${cache ? '' : '        cache: off\n'}`),
    '--output-dir',
    out,
    '--num-outputs-to-generate',
    String(outputs),
    '--seed-batch-size',
    String(batch),
    '--max-stalled-requests',
    '50',
    '--json',
    ...(restart ? ['--restart'] : []),
    ...(cache ? [] : ['--no-cache']),
  ];
  const before = (await server.stats()).requests;
  const run = await timed(args.map((a) => JSON.stringify(a)).join(' '), {
    DGT_CACHE_DIR: join(work, 'cache'),
    ...env,
  });
  const events = run.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const lm = events.filter((e) => e.type === 'lm-request');
  const finalLines = readFileSync(join(out, 'examples/geography_qa/final_data.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean).length;
  return {
    ...run,
    serverRequests: (await server.stats()).requests - before,
    lmEvents: lm.length,
    cachedEvents: lm.filter((e) => e.cached).length,
    failedEvents: lm.filter((e) => !e.ok).length,
    finalRecords: finalLines,
  };
}

/**
 * Writes a script that makes `total` requests through the openai SDK with 64 workers, as a user
 * would by hand: the geography prompt written out with three of the task's seed examples, the
 * same reply schema and decoding parameters as the geography builder sends, nothing else.
 */
function bareLoop(server, total) {
  const bare = join(work, `bare-${total}.mjs`);
  const openaiPath = join(root, 'packages/blocks-lm/node_modules/openai/index.mjs');
  const seeds = parseYaml(readFileSync(task, 'utf8')).seed_examples;
  writeFileSync(
    bare,
    `import OpenAI from ${JSON.stringify(openaiPath)};
const client = new OpenAI({ baseURL: ${JSON.stringify(server.baseURL)}, apiKey: 'x', maxRetries: 0 });
const total = ${total}; let next = 0;
const seeds = ${JSON.stringify(seeds)};
const schema = { type: 'object', properties: { question: { type: 'string', description: 'a new geography question' }, answer: { type: 'string', description: 'its short, correct answer' } }, required: ['question', 'answer'], additionalProperties: false };
const prompt = (i) => \`You write training data for a geography quiz assistant. Each item is one factual geography question with a short, correct answer.

Study these examples:

\${[i, i * 7 + 3, i * 11 + 5].map((k) => seeds[k % seeds.length]).map((e) => \`Question: \${e.question}\nAnswer: \${e.answer}\n\n\`).join('')}Now write one new item. Ask about a place, feature or fact that none of the examples cover, keep the answer brief and accurate, and reply with a JSON object of the form {"question": "...", "answer": "..."}. If you cannot produce JSON, reply exactly as:
Question: <your question>
Answer: <your answer>\`;
async function worker() {
  while (next < total) {
    const i = next++;
    const res = await client.chat.completions.create({ model: 'fake-model', temperature: 0.8, max_tokens: 256,
      messages: [{ role: 'user', content: prompt(i) }],
      response_format: { type: 'json_schema', json_schema: { name: 'geography_qa', schema, strict: false } } });
    JSON.parse(res.choices[0].message.content);
  }
}
await Promise.all(Array.from({ length: 64 }, worker));
`,
  );
  return bare;
}

/** Requests per second while the server was in use: from its first request to its last reply. */
async function serverRate(server) {
  const { completed, firstRequestMs, lastReplyMs } = await server.stats();
  return completed / ((lastReplyMs - firstRequestMs) / 1000);
}

/** Calls the openai block directly with `n` distinct rows; returns the achieved rate. */
async function engineRate(server, n, config = {}) {
  const block = await openaiBlock.create(
    openaiBlock.configSchema.parse({
      name: 'generator',
      type: 'openai',
      model_id_or_path: 'fake-model',
      base_url: server.baseURL,
      max_concurrency: 64,
      cache: 'off',
      ...config,
    }),
    { outputDir: work, env: {} },
  );
  const rows = Array.from({ length: n }, (_, i) => ({ input: `Question number ${i}?` }));
  const events = [];
  const started = performance.now();
  await block.call(rows, {}, { emit: (e) => events.push(e) });
  const seconds = (performance.now() - started) / 1000;
  await block.close();
  return {
    seconds,
    rate: n / seconds,
    ok: rows.filter((r) => typeof r.result === 'string').length,
    failed: rows.filter((r) => r.error).length,
  };
}

const fmt = (x, d = 2) => Number(x).toFixed(d);

/** Starts the fake OpenAI server in its own process (see fake-server.mjs). */
async function startFakeOpenAI(options = {}) {
  const child = spawn(process.execPath, [join(here, 'fake-server.mjs'), JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = [];
  const waiting = [];
  let buffer = '';
  child.stdout.on('data', (d) => {
    buffer += d;
    let at = buffer.indexOf('\n');
    while (at >= 0) {
      const line = JSON.parse(buffer.slice(0, at));
      buffer = buffer.slice(at + 1);
      const next = waiting.shift();
      if (next) next(line);
      else lines.push(line);
      at = buffer.indexOf('\n');
    }
  });
  const read = () =>
    lines.length > 0 ? Promise.resolve(lines.shift()) : new Promise((r) => waiting.push(r));
  const ask = (command) => {
    child.stdin.write(`${command}\n`);
    return read();
  };
  const { url, baseURL } = await read();
  return {
    url,
    baseURL,
    stats: () => ask('stats'),
    steady: () => ask('steady'),
    reset: () => ask('reset'),
    close() {
      child.stdin.end();
      return new Promise((r) => child.on('close', r));
    },
  };
}

// (a) 100 ms latency, max_concurrency 64: ideal 640 requests/s. "Steady" is the arrival rate at
// the server between the 10% and 80% marks of the requests (without the start and the tail).
if (wanted('a')) {
  const server = await startFakeOpenAI({ latencyMs: 100 });
  const n = Math.round(3200 * scale);
  const cpuBefore = process.cpuUsage();
  const direct = await engineRate(server, n);
  const directCpu = process.cpuUsage(cpuBefore);
  const directSteady = (await server.steady()).rate;
  log(`(a) engine: ${fmt(direct.rate, 1)} req/s, steady ${fmt(directSteady, 1)}`);
  await server.reset();
  const loop = await timed(`node ${JSON.stringify(bareLoop(server, n))}`);
  const loopRate = n / (loop.wallMs / 1000);
  const loopBusyRate = await serverRate(server);
  const loopSteady = (await server.steady()).rate;
  await server.reset();
  const outputs = Math.round(2000 * scale);
  const run = await dgtRun(server, { outputs, batch: 256 });
  const lmRate = run.serverRequests / (run.wallMs / 1000);
  const lmBusyRate = await serverRate(server);
  const lmSteady = (await server.steady()).rate;
  log(
    `(a) dgt run: ${run.serverRequests} requests in ${fmt(run.wallMs / 1000)} s, ${fmt(lmBusyRate, 1)} req/s while the server was in use, steady ${fmt(lmSteady, 1)}; bare loop steady ${fmt(loopSteady, 1)}`,
  );
  const ms = (cpuMs, requests) => `${fmt(cpuMs / requests, 3)} ms CPU/request`;
  results.push({
    id: 'a',
    title: '100 ms latency, max_concurrency 64 (ideal 640 req/s)',
    rows: [
      [
        `engine (one block call, ${n} rows): steady rate; ${fmt(direct.rate, 1)} req/s over the call; ${ms((directCpu.user + directCpu.system) / 1000, n)} (benchmark process)`,
        `${fmt(directSteady, 1)} req/s`,
        fmt(directSteady / 640),
        '≥ 0.95',
      ],
      [
        `for reference: bare loop over the openai SDK, 64 workers, ${n} requests: steady rate; ${fmt(loopBusyRate, 1)} req/s while the server was in use, ${fmt(loopRate, 1)} over its wall time (incl. ~0.2 s process start); ${ms(loop.cpuMs, n)}`,
        `${fmt(loopSteady, 1)} req/s`,
        fmt(loopSteady / 640),
        '',
      ],
      [
        `dgt run geography (${outputs} records, seed batch 256): steady rate; ${ms(run.cpuMs, run.serverRequests)} (whole process, start-up included)`,
        `${fmt(lmSteady, 1)} req/s`,
        fmt(lmSteady / 640),
        '≥ 0.95',
      ],
      [
        'dgt run geography: rate while the server was in use (first request to last reply)',
        `${fmt(lmBusyRate, 1)} req/s`,
        fmt(lmBusyRate / 640),
        '',
      ],
      [
        'dgt run geography: rate over the wall time (incl. start-up and finish)',
        `${fmt(lmRate, 1)} req/s`,
        fmt(lmRate / 640),
        '',
      ],
    ],
  });
  await server.close();
}

// (b) a server accepting 20 requests/s (sliding one-second window), 429 + Retry-After beyond.
if (wanted('b')) {
  const server = await startFakeOpenAI({ rateLimit: { requestsPerSecond: 20 } });
  const n = Math.round(300 * scale);
  const direct = await engineRate(server, n, { retry_initial_delay: 0.1 });
  const rejectedDirect = (await server.stats()).rejected;
  log(
    `(b) engine: ${fmt(direct.rate, 1)} accepted req/s, ${direct.failed} lost, ${rejectedDirect} 429s`,
  );
  await server.reset();
  const outputs = Math.round(200 * scale);
  const run = await dgtRun(server, {
    outputs,
    batch: 64,
    extra: '        retry_initial_delay: 0.1\n',
  });
  const stats = await server.stats();
  const accepted = stats.completed / (run.wallMs / 1000);
  log(`(b) dgt run: ${run.finalRecords}/${outputs} records, ${fmt(accepted, 1)} accepted req/s`);
  results.push({
    id: 'b',
    title: 'server limited to 20 req/s with 429 + Retry-After (ideal 20 accepted req/s)',
    rows: [
      [
        `engine (${n} rows, max_concurrency 64): ${rejectedDirect} requests answered 429, ${direct.failed} rows lost`,
        `${fmt(direct.rate, 1)} req/s`,
        fmt(direct.rate / 20),
        '≥ 0.9, 0 lost',
      ],
      [
        `dgt run geography (${outputs} records): ${run.finalRecords} records, ${run.failedEvents} failed requests, ${stats.rejected} answered 429`,
        `${fmt(accepted, 1)} req/s`,
        fmt(accepted / 20),
        '≥ 0.9, 0 lost',
      ],
    ],
  });
  await server.close();
}

// (c) zero latency: `dgt run` against a bare loop over the openai SDK at the same concurrency.
// Both are CPU-bound and share two cores with the fake server, so single runs vary by several
// per cent: three rounds, alternating, and the median of each measure.
if (wanted('c')) {
  const server = await startFakeOpenAI();
  const outputs = Math.round(4000 * scale);
  const rounds = [];
  for (let round = 0; round < 3; round++) {
    await server.reset();
    const run = await dgtRun(server, { outputs, batch: 256 });
    const runServerRate = await serverRate(server);
    await server.reset();
    const loop = await timed(`node ${JSON.stringify(bareLoop(server, run.serverRequests))}`);
    const loopServerRate = await serverRate(server);
    const n = run.serverRequests;
    rounds.push({
      n,
      run: { wall: n / (run.wallMs / 1000), busy: runServerRate, cpu: run.cpuMs / n },
      loop: { wall: n / (loop.wallMs / 1000), busy: loopServerRate, cpu: loop.cpuMs / n },
    });
    log(
      `(c) round ${round + 1}: dgt run ${fmt(runServerRate, 0)} req/s while the server was busy, ${fmt(n / (run.wallMs / 1000), 0)} over its wall time; bare loop ${fmt(loopServerRate, 0)} / ${fmt(n / (loop.wallMs / 1000), 0)}`,
    );
  }
  const median = (pick) => {
    const values = rounds.map(pick).sort((x, y) => x - y);
    return values[Math.floor(values.length / 2)];
  };
  const busyRatio = median((r) => r.run.busy / r.loop.busy);
  const wallRatio = median((r) => r.run.wall / r.loop.wall);
  results.push({
    id: 'c',
    title: `zero latency, concurrency 64, ${rounds[0].n} requests (median of 3 alternating rounds)`,
    rows: [
      [
        `dgt run geography (${outputs} records): rate while the server was in use (first request to last reply)`,
        `${fmt(
          median((r) => r.run.busy),
          0,
        )} req/s`,
        fmt(busyRatio),
        '≥ 0.9',
      ],
      [
        `dgt run geography: rate over the process's wall time (incl. ~0.3 s start-up and the finish)`,
        `${fmt(
          median((r) => r.run.wall),
          0,
        )} req/s`,
        fmt(wallRatio),
        '≥ 0.9',
      ],
      [
        `dgt run geography: CPU per request (whole process, all threads)`,
        `${fmt(
          median((r) => r.run.cpu),
          3,
        )} ms`,
        fmt(median((r) => r.loop.cpu / r.run.cpu)),
        '',
      ],
      [
        `bare loop over the openai SDK (same prompts, schema and parameters), 64 workers: rate while the server was in use`,
        `${fmt(
          median((r) => r.loop.busy),
          0,
        )} req/s`,
        '1.00',
        '',
      ],
      [
        `bare loop: rate over wall time; CPU per request ${fmt(
          median((r) => r.loop.cpu),
          3,
        )} ms`,
        `${fmt(
          median((r) => r.loop.wall),
          0,
        )} req/s`,
        '1.00',
        '',
      ],
    ],
  });
  await server.close();
}

// (d) warm cache: a run with the cache on, then the same run with --restart.
if (wanted('d')) {
  const server = await startFakeOpenAI({ latencyMs: 100 });
  const outputs = Math.round(400 * scale);
  rmSync(join(work, 'cache'), { recursive: true, force: true });
  const cold = await dgtRun(server, { outputs, batch: 64, cache: true });
  const warm = await dgtRun(server, { outputs, batch: 64, cache: true });
  log(
    `(d) cold ${cold.serverRequests} calls ${fmt(cold.wallMs / 1000)} s; warm ${warm.serverRequests} calls ${fmt(warm.wallMs / 1000)} s`,
  );
  results.push({
    id: 'd',
    title: `warm-cache rerun with --restart (${outputs} records, 100 ms latency)`,
    rows: [
      [
        `first run (cache empty): ${cold.serverRequests} LM calls, ${fmt(cold.wallMs / 1000)} s`,
        `${cold.serverRequests} calls`,
        '',
        '',
      ],
      [
        `rerun with --restart: ${warm.serverRequests} LM calls (${warm.cachedEvents} cache hits), ${warm.finalRecords} records, ${fmt(warm.wallMs / 1000)} s`,
        `${warm.serverRequests} calls`,
        warm.serverRequests === 0 ? 'met' : 'missed',
        '0 calls',
      ],
    ],
  });
  await server.close();
}

// The scheduler scenarios of issue 12: `dgt run` on the shipped examples (their own runner
// settings; only the target, the server and the concurrency come from the command line).
const EXAMPLES = {
  geography_qa: ['examples/geography-qa/task.yaml', 'examples/geography_qa'],
  simple: ['examples/simple-skills/task.yaml', 'examples/simple_skills/unit_conversion'],
  knowledge: ['examples/knowledge-qa/task.yaml', 'examples/knowledge/honeybees'],
  tool_calling: ['examples/tool-calling/task.yaml', 'examples/tool_calling/assistant'],
};

/** Runs an example against `server` under /usr/bin/time; returns rates, CPU and peak RSS. */
async function exampleRun(server, { example, outputs, concurrency }) {
  const [taskFile, taskName] = EXAMPLES[example];
  const out = join(work, `out-${example}`);
  const args = [
    'node',
    cli,
    'run',
    '--task-paths',
    join(root, taskFile),
    '--engine',
    'openai',
    '--model',
    'fake-model',
    '--base-url',
    server.baseURL,
    '--max-concurrency',
    String(concurrency),
    '--num-outputs-to-generate',
    String(outputs),
    '--output-dir',
    out,
    '--max-stalled-requests',
    '50',
    '--restart',
    '--no-cache',
    '--json',
  ];
  await server.reset();
  const run = await timed(
    `/usr/bin/time -f 'peak-rss-kb %M' ${args.map((a) => JSON.stringify(a)).join(' ')}`,
    { OPENAI_API_KEY: 'sk-bench' },
  );
  const stderr = readFileSync(join(work, 'stderr'), 'utf8');
  const rssKb = Number(/peak-rss-kb (\d+)/.exec(stderr)?.[1] ?? 0);
  const stats = await server.stats();
  const steady = await server.steady();
  const final = readFileSync(join(out, taskName, 'final_data.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean).length;
  return { ...run, rssKb, stats, steady, final };
}

// (e) lognormal reply times (median 1 s, σ = 1, p99 ≈ 10 s), max_concurrency 256 and 1,024:
// the steady rate against 256 (or 1,024) ÷ the mean reply time.
if (wanted('e')) {
  const lognormal = { medianMs: 1000, sigma: 1, seed: 7 };
  const mean = 1000 * Math.exp(0.5);
  const server = await startFakeOpenAI({ lognormal });
  const rows = [];
  for (const [concurrency, outputs] of [
    [256, Math.round(3000 * scale)],
    [1024, Math.round(10000 * scale)],
  ]) {
    const ideal = concurrency / (mean / 1000);
    const r = await exampleRun(server, { example: 'geography_qa', outputs, concurrency });
    const drawn = concurrency / (r.steady.meanLatencyMs / 1000);
    log(
      `(e) ${concurrency}: steady ${fmt(r.steady.rate, 1)} req/s of ${fmt(ideal, 1)} (${fmt(drawn, 1)} for the reply times drawn), mean ${fmt(r.steady.inFlight, 1)} in flight, ${r.stats.requests} requests, ${fmt(r.cpuMs / r.stats.requests, 3)} ms CPU/request, ${fmt(r.wallMs / 1000)} s`,
    );
    rows.push([
      `dgt run geography_qa, ${outputs} records, max_concurrency ${concurrency}: steady rate (10%–80% of arrivals) ÷ ${fmt(ideal, 1)}; ${r.stats.requests} requests, CPU ${fmt(r.cpuMs / r.stats.requests, 3)} ms/request, ${fmt(r.wallMs / 1000, 1)} s wall (the last replies take up to ~30 s)`,
      `${fmt(r.steady.rate, 1)} req/s`,
      fmt(r.steady.rate / ideal),
      '≥ 0.9',
    ]);
    rows.push([
      `the same: requests in flight at the server, time-weighted over that window, ÷ ${concurrency} (= rate ÷ ideal for the reply times actually drawn, mean ${fmt(r.steady.meanLatencyMs, 0)} ms)`,
      `${fmt(r.steady.inFlight, 1)}`,
      fmt(r.steady.inFlight / concurrency),
      '≥ 0.9',
    ]);
  }
  results.push({
    id: 'e',
    title: `lognormal replies (median 1 s, σ = 1), ideal = max_concurrency ÷ ${fmt(mean / 1000, 3)} s`,
    rows,
  });
  await server.close();
}

// (f) every built-in generation builder under (e) at max_concurrency 256.
if (wanted('f')) {
  const lognormal = { medianMs: 1000, sigma: 1, seed: 11 };
  const ideal = 256 / Math.exp(0.5);
  const server = await startFakeOpenAI({ lognormal });
  const rows = [];
  for (const example of Object.keys(EXAMPLES)) {
    const outputs = Math.round((example === 'knowledge' ? 1000 : 2500) * scale);
    const r = await exampleRun(server, { example, outputs, concurrency: 256 });
    log(
      `(f) ${example}: steady ${fmt(r.steady.rate, 1)} req/s of ${fmt(ideal, 1)}, mean ${fmt(r.steady.inFlight, 1)} in flight`,
    );
    rows.push([
      `${example}: ${outputs} records, ${r.stats.requests} requests, ${r.final} final records, ${fmt(r.wallMs / 1000, 1)} s wall; ${fmt(r.steady.inFlight, 1)} in flight on average (${fmt(r.steady.inFlight / 256)} of 256)`,
      `${fmt(r.steady.rate, 1)} req/s`,
      fmt(r.steady.rate / ideal),
      '≥ 0.85',
    ]);
  }
  results.push({
    id: 'f',
    title: `built-in generation builders, lognormal replies, max_concurrency 256 (ideal ${fmt(ideal, 1)} req/s)`,
    rows,
  });
  await server.close();
}

// (g) requests beyond the target, and memory at N = 100,000. Every fourth request fails (HTTP
// 400, not retried), so exactly 3 requests in 4 make a record: the requests a run needs are
// known, and what it asks beyond them is waste.
if (wanted('g')) {
  const rows = [];
  {
    const server = await startFakeOpenAI({
      lognormal: { medianMs: 1000, sigma: 1, seed: 5 },
      failEvery: 4,
    });
    const outputs = Math.round(2000 * scale);
    const r = await exampleRun(server, { example: 'geography_qa', outputs, concurrency: 256 });
    const needed = Math.ceil((outputs * 4) / 3);
    log(
      `(g) beyond target: ${r.stats.requests - needed} (${r.stats.requests} made, ${needed} needed)`,
    );
    rows.push([
      `geography_qa, ${outputs} records, lognormal replies, max_concurrency 256, 1 request in 4 fails: ${r.stats.requests} requests made, ${needed} needed, ${r.final} final records`,
      `${r.stats.requests - needed} beyond`,
      '',
      '≤ 256 + margin',
    ]);
    await server.close();
  }
  {
    const server = await startFakeOpenAI();
    const outputs = Math.round(100000 * scale);
    const r = await exampleRun(server, { example: 'geography_qa', outputs, concurrency: 64 });
    log(`(g) ${outputs} records: peak RSS ${fmt(r.rssKb / 1024, 0)} MB, ${fmt(r.wallMs / 1000)} s`);
    rows.push([
      `geography_qa, ${outputs} records, zero latency, max_concurrency 64: peak RSS of the dgt process (accepted records stay in memory for in-context examples and the dedup postprocessor); ${r.stats.requests} requests, ${r.final} final records, ${fmt(r.wallMs / 1000, 1)} s`,
      `${fmt(r.rssKb / 1024, 0)} MB`,
      '',
      '',
    ]);
    await server.close();
  }
  results.push({ id: 'g', title: 'waste beyond the target, and memory', rows });
}

const loadAtEnd = load();
log(`load average at the end: ${loadAtEnd}`);
if (only) {
  for (const r of results) for (const row of r.rows) log(`(${r.id}) ${row.join(' | ')}`);
  rmSync(work, { recursive: true, force: true });
  process.exit(0);
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, Node ${process.version}`;
const md = [
  '# LM engine benchmarks',
  '',
  `Measured ${new Date().toISOString()} on ${machine}${quick ? ' (quick mode: a quarter of the work)' : ''}; load average (1, 5, 15 min) ${loadAtStart} at the start, ${loadAtEnd} at the end.`,
  'Command: `pnpm bench:lm` (or `node bench/lm/run.mjs` after a build). The fake OpenAI server of',
  '`@dgt/testing` runs in its own process (`fake-server.mjs`); the engine is measured in the',
  'benchmark process, `dgt run` and the bare loop as child processes. All share the same two cores,',
  "so the fake server's own CPU caps every rate here.",
  '',
  ...results.flatMap((r) => [
    `## (${r.id}) ${r.title}`,
    '',
    '| what | measured | ratio | target |',
    '| --- | --- | --- | --- |',
    ...r.rows.map((row) => `| ${row.join(' | ')} |`),
    '',
  ]),
];
const notes = join(here, 'NOTES.md');
let extra = '';
try {
  extra = readFileSync(notes, 'utf8');
} catch {
  // no notes
}
writeFileSync(join(here, 'RESULTS.md'), `${md.join('\n')}${extra ? `\n${extra}` : ''}`);
// Keep the file as the repository's formatter wants it (tables aligned).
await timed(
  `${JSON.stringify(join(root, 'node_modules/.bin/biome'))} format --write ${JSON.stringify(join(here, 'RESULTS.md'))}`,
).catch(() => {});
log(`wrote ${join(here, 'RESULTS.md')}`);
rmSync(work, { recursive: true, force: true });
