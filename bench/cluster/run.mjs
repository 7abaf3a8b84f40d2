// Cluster benchmark: `dgt run --queue` with 1, 2 and 4 `dgt worker` processes on one machine.
//
//   pnpm build && node bench/cluster/run.mjs              # full sizes, rewrites RESULTS.md
//   node bench/cluster/run.mjs --quick                    # small sizes, prints only
//   node bench/cluster/run.mjs --only cpu|lm --records N  # one scenario, another size
//
// A private redis-server is started on a free port and stopped at the end (Debian's
// `redis-server` must be on PATH). Two scenarios:
//  - cpu: a transformation (`pipeline`) over generated Python snippets: `syntax` (tree-sitter's
//    Python grammar) then `minhash_dedup`, both inside the builder call, so all the work is in
//    the jobs. Compared with the same run without --queue (one process).
//  - lm: geography generation where each worker has its own fake OpenAI server in its own
//    process (`dgt worker --base-url`), fixed latency, `max_concurrency` per server: the ideal
//    rate grows with the number of workers.
// Each number is a wall time of the coordinator, from start to exit, with the workers already
// running; ratios are against one worker measured in the same invocation.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const cli = path.join(root, 'packages/cli/dist/bin.js');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const recordsArg = args.includes('--records') ? Number(args[args.indexOf('--records') + 1]) : 0;
const workDir = path.join(os.tmpdir(), 'dgt-bench-cluster');
const WORKER_COUNTS = [1, 2, 4];

if (!existsSync(cli)) {
  console.error(`missing ${cli}: run pnpm build first`);
  process.exit(1);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      if (String(chunk).includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited ${code}`)));
  });
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

/** Starts `dgt worker`, resolved once it takes jobs. */
function startWorker(dir, queue, extra) {
  const child = spawn(process.execPath, [cli, 'worker', '--queue', queue, ...extra], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.includes('taking jobs from')) resolve({ child, stderr: () => stderr });
    });
    child.once('exit', (code) => reject(new Error(`dgt worker exited ${code}: ${stderr}`)));
  });
}

async function stopWorkers(workers) {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise((resolve) => {
          if (w.child.exitCode !== null) return resolve();
          w.child.once('exit', resolve);
          w.child.kill('SIGTERM');
        }),
    ),
  );
}

/** Runs `dgt run` to its end; returns wall seconds, exit code and the summary line. */
function timeRun(dir, runArgs) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [cli, 'run', ...runArgs], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) {
    console.error(result.stderr);
    throw new Error(`dgt run exited ${result.status}`);
  }
  return { seconds, stderr: result.stderr };
}

function lineCount(file) {
  if (!existsSync(file)) return 0;
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
}

/** Python snippets: most parse, one in ten has a syntax error, one in twenty is a near-copy. */
function snippets(count) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const near = i % 20 === 19 ? i - 1 : i;
    const body = [
      `def compute_${near}(values, factor=${near % 7}):`,
      `    """Scale and sum the values of batch ${near}."""`,
      '    total = 0',
      '    for index, value in enumerate(values):',
      `        if value % ${(near % 5) + 2} == 0:`,
      '            total += value * factor',
      '        else:',
      `            total -= index // ${(near % 3) + 1}`,
      `    return {"id": ${near}, "total": total, "label": "batch-${near}"}`,
    ];
    if (i % 10 === 3) body[3] = '    for index, value in enumerate(values)';
    const code = body.join('\n');
    out.push({ id: i, code, text: `${code} # ${i % 20 === 19 ? 'copy' : `unique-${i}`}` });
  }
  return out;
}

async function cpuScenario(redisUrl, size) {
  const dir = path.join(workDir, 'cpu');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'records.jsonl'),
    `${snippets(size)
      .map((r) => JSON.stringify(r))
      .join('\n')}\n`,
  );
  writeFileSync(
    path.join(dir, 'task.yaml'),
    'task_name: cluster_cpu\ndata_builder: pipeline\ndata:\n  type: default\n  data_path: records.jsonl\nrunner_config:\n  transform_batch_size: 500\n',
  );
  writeFileSync(
    path.join(dir, 'override.yaml'),
    [
      'databuilders:',
      '  pipeline:',
      '    blocks:',
      '      - { name: parses, type: syntax, language: python, filter: true, input_map: { code: input } }',
      '      - { name: dedup, type: minhash_dedup, filter: true, threshold: 0.8, input_map: { text: input } }',
      '',
    ].join('\n'),
  );
  const base = ['--task-paths', 'task.yaml', '--config-path', 'override.yaml', '--restart'];
  const out = path.join(dir, 'output/cluster_cpu/data.jsonl');
  const rows = [];
  const single = timeRun(dir, base);
  rows.push({
    setup: 'no --queue (one process)',
    seconds: single.seconds,
    outputs: lineCount(out),
    load: os.loadavg()[0],
  });
  console.log(rows.at(-1));
  for (const count of WORKER_COUNTS) {
    const workers = await Promise.all(
      Array.from({ length: count }, () => startWorker(dir, redisUrl, ['--builders', 'pipeline'])),
    );
    const run = timeRun(dir, [...base, '--queue', redisUrl]);
    await stopWorkers(workers);
    rows.push({
      setup: `${count} worker${count > 1 ? 's' : ''}`,
      workers: count,
      seconds: run.seconds,
      outputs: lineCount(out),
      load: os.loadavg()[0],
    });
    console.log(rows.at(-1));
  }
  return rows;
}

/** A fake OpenAI server in its own process (bench/lm/fake-server.mjs). */
async function startFakeServer(latencyMs) {
  const child = spawn(
    process.execPath,
    [path.join(root, 'bench/lm/fake-server.mjs'), JSON.stringify({ latencyMs })],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise((resolve) => lines.once('line', resolve));
  const { baseURL } = JSON.parse(first);
  const ask = (command) =>
    new Promise((resolve) => {
      lines.once('line', (line) => resolve(JSON.parse(line)));
      child.stdin.write(`${command}\n`);
    });
  return {
    baseURL,
    stats: () => ask('stats'),
    reset: () => child.stdin.write('reset\n'),
    stop: () => child.kill('SIGTERM'),
  };
}

async function lmScenario(redisUrl, target, latencyMs, maxConcurrency) {
  const dir = path.join(workDir, 'lm');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'task.yaml'),
    readFileSync(path.join(root, 'examples/geography-qa/task.yaml'), 'utf8'),
  );
  const servers = await Promise.all(
    Array.from({ length: Math.max(...WORKER_COUNTS) }, () => startFakeServer(latencyMs)),
  );
  writeFileSync(
    path.join(dir, 'override.yaml'),
    `databuilders:\n  public/examples/geography_qa:\n    blocks:\n      - name: generator\n        type: openai\n        model_id_or_path: bench\n        base_url: ${servers[0].baseURL}\n        max_concurrency: ${maxConcurrency}\n`,
  );
  const base = [
    '--task-paths',
    'task.yaml',
    '--config-path',
    'override.yaml',
    '--restart',
    '--no-cache',
    '--num-outputs-to-generate',
    String(target),
  ];
  const rows = [];
  try {
    for (const count of WORKER_COUNTS) {
      for (const server of servers) server.reset();
      const workers = await Promise.all(
        servers
          .slice(0, count)
          .map((server) =>
            startWorker(dir, redisUrl, [
              '--builders',
              'public/examples/geography_qa',
              '--concurrency',
              '4',
              '--base-url',
              server.baseURL,
            ]),
          ),
      );
      const run = timeRun(dir, [...base, '--queue', redisUrl]);
      await stopWorkers(workers);
      const used = await Promise.all(servers.slice(0, count).map((s) => s.stats()));
      const requests = used.reduce((sum, s) => sum + s.requests, 0);
      // Each server's requests over the time it was in use (first request to last reply, on its
      // own clock), added up: the rate the servers saw, without the run's start-up and tail.
      const busyRate = used.reduce(
        (sum, s) => sum + (s.requests * 1000) / Math.max(1, s.lastReplyMs - s.firstRequestMs),
        0,
      );
      const ideal = (count * maxConcurrency * 1000) / latencyMs;
      rows.push({
        setup: `${count} worker${count > 1 ? 's' : ''}, ${count} server${count > 1 ? 's' : ''}`,
        workers: count,
        seconds: run.seconds,
        requests,
        rate: requests / run.seconds,
        busyRate,
        ideal,
        load: os.loadavg()[0],
      });
      console.log(rows.at(-1));
    }
  } finally {
    for (const server of servers) server.stop();
  }
  return rows;
}

const fmt = (n, digits = 2) => n.toFixed(digits);

function cpuTable(rows, size) {
  const one = rows.find((r) => r.workers === 1);
  const lines = [
    `| setup | wall time (s) | records/s | ÷ 1 worker | ÷ no --queue | outputs | load avg |`,
    `| --- | --- | --- | --- | --- | --- | --- |`,
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.setup} | ${fmt(r.seconds, 1)} | ${Math.round(size / r.seconds)} | ${r.workers ? fmt(one.seconds / r.seconds) : '—'} | ${fmt(rows[0].seconds / r.seconds)} | ${r.outputs} | ${fmt(r.load, 1)} |`,
    );
  }
  return lines.join('\n');
}

function lmTable(rows) {
  const one = rows.find((r) => r.workers === 1);
  const lines = [
    `| setup | wall time (s) | LM requests | req/s over wall time | ÷ 1 worker | req/s while servers busy | ÷ ideal | ÷ 1 worker | load avg |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.setup} | ${fmt(r.seconds, 1)} | ${r.requests} | ${fmt(r.rate, 1)} | ${fmt(r.rate / one.rate)} | ${fmt(r.busyRate, 1)} | ${fmt(r.busyRate / r.ideal)} (ideal ${fmt(r.ideal, 0)}) | ${fmt(r.busyRate / one.busyRate)} | ${fmt(r.load, 1)} |`,
    );
  }
  return lines.join('\n');
}

const redis = await startRedis();
try {
  const size = recordsArg || (quick ? 5_000 : 100_000);
  const target = quick ? 200 : 1_000;
  const latencyMs = 200;
  const maxConcurrency = 8;
  const cpu = !only || only === 'cpu' ? await cpuScenario(redis.url, size) : undefined;
  const lm =
    !only || only === 'lm'
      ? await lmScenario(redis.url, target, latencyMs, maxConcurrency)
      : undefined;
  const report = [
    '# Cluster benchmark (`dgt run --queue` + `dgt worker`)',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.versions.node}, with \`node bench/cluster/run.mjs${args.length ? ` ${args.join(' ')}` : ''}\`. Workers, coordinator, Redis and the fake servers all share this one machine.`,
    '',
  ];
  if (cpu)
    report.push(
      `## CPU-bound: \`syntax\` (Python) + \`minhash_dedup\` over ${size.toLocaleString('en')} records`,
      '',
      cpuTable(cpu, size),
      '',
    );
  if (lm)
    report.push(
      `## LM-bound: geography, ${target} records, one fake server per worker (${latencyMs} ms, max_concurrency ${maxConcurrency})`,
      '',
      lmTable(lm),
      '',
    );
  const text = report.join('\n');
  console.log(text);
  if (!quick) writeFileSync(path.join(here, 'RESULTS.md'), text);
} finally {
  redis.stop();
}
