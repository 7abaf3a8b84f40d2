// Dedup benchmark: planted near-copies through `dgt run` with the pipeline builder.
//
//   pnpm build && node bench/dedup/run.mjs          # full run, rewrites RESULTS.md
//   node bench/dedup/run.mjs --quick                # smaller sizes, prints only
//
// Each scenario writes a JSONL file, a task file (data_builder: pipeline) and an override adding
// one dedup block, runs the CLI under /usr/bin/time -v (wall time, peak RSS), then scores the
// outputs: planted copies caught, originals wrongly removed, families left with no record.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const cli = path.join(root, 'packages/cli/dist/bin.js');
const quick = process.argv.includes('--quick');
// Scratch space outside the repository: the data files are large and regenerated every run.
const workDir = path.join(os.tmpdir(), 'dgt-bench-dedup');

if (!existsSync(cli)) {
  console.error(`missing ${cli}: run pnpm build first`);
  process.exit(1);
}

const MINHASH = { type: 'minhash_dedup', threshold: 0.7 };
const ROUGE = { type: 'rouge_scorer', threshold: 0.7 };

function readJsonl(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

function runScenario({ name, size, block, batchSize }) {
  const dir = path.join(workDir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const records = generate(size, size / 10);
  writeFileSync(
    path.join(dir, 'records.jsonl'),
    `${records.map((r) => JSON.stringify(r)).join('\n')}\n`,
  );
  writeFileSync(
    path.join(dir, 'task.yaml'),
    `task_name: ${name}\ndata_builder: pipeline\ndata:\n  type: default\n  data_path: records.jsonl\n` +
      (batchSize ? `runner_config:\n  transform_batch_size: ${batchSize}\n` : ''),
  );
  const blockYaml = Object.entries(block)
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ');
  writeFileSync(
    path.join(dir, 'override.yaml'),
    `databuilders:\n  pipeline:\n    blocks:\n      - {name: dedup, filter: true, ${blockYaml}, input_map: {text: input}}\n`,
  );
  const started = performance.now();
  const run = spawnSync(
    '/usr/bin/time',
    [
      '-v',
      process.execPath,
      cli,
      'run',
      '--task-paths',
      'task.yaml',
      '--config-path',
      'override.yaml',
      '--output-dir',
      'output',
      '--restart',
    ],
    { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const wallMs = performance.now() - started;
  if (run.status !== 0) throw new Error(`${name} failed:\n${run.stdout}\n${run.stderr}`);
  const peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1] ?? NaN);

  const kept = readJsonl(path.join(dir, 'output', name, 'final_data.jsonl'));
  const rejected = readJsonl(path.join(dir, 'output', name, 'blocks', 'dedup.jsonl'));
  const copies = records.filter((r) => r.role === 'copy').length;
  const caught = rejected.filter((r) => r.role === 'copy').length;
  const originalsRemoved = rejected.filter((r) => r.role === 'original').length;
  const copiedFamilies = new Set(records.filter((r) => r.role === 'copy').map((r) => r.family));
  const surviving = new Set(kept.map((r) => r.family));
  const familiesGone = [...new Set(records.map((r) => r.family))].filter(
    (f) => !surviving.has(f),
  ).length;
  rmSync(path.join(dir, 'records.jsonl'));
  return {
    name,
    block: block.type,
    records: size,
    batchSize: batchSize ?? 100,
    wallS: wallMs / 1000,
    peakMb: peakKb / 1024,
    copies,
    caught,
    caughtPct: (100 * caught) / copies,
    originalsRemoved,
    families: copiedFamilies.size,
    familiesGone,
    kept: kept.length,
  };
}

const scenarios = quick
  ? [
      { name: 'minhash-10k', size: 10_000, block: MINHASH },
      { name: 'rouge-1k', size: 1_000, block: ROUGE },
    ]
  : [
      { name: 'minhash-100k', size: 100_000, block: MINHASH },
      { name: 'minhash-100k-batch5000', size: 100_000, block: MINHASH, batchSize: 5000 },
      { name: 'minhash-10k', size: 10_000, block: MINHASH },
      { name: 'minhash-25k', size: 25_000, block: MINHASH },
      { name: 'minhash-50k', size: 50_000, block: MINHASH },
      { name: 'rouge-500', size: 500, block: ROUGE },
      { name: 'rouge-1k', size: 1_000, block: ROUGE },
      { name: 'rouge-2k', size: 2_000, block: ROUGE },
      { name: 'rouge-5k', size: 5_000, block: ROUGE },
      { name: 'minhash-5k', size: 5_000, block: MINHASH },
    ];

/** The block alone, in this process, on one call of `size` rows: what the runner adds is the rest. */
async function blockOnly(size, block) {
  const entry = path.join(
    root,
    'packages/blocks-validators/dist',
    `${block.type === 'minhash_dedup' ? 'minhash-dedup' : 'rouge-scorer'}.js`,
  );
  const definition = (await import(entry)).default;
  const config = definition.configSchema.parse({ name: 'dedup', filter: true, ...block });
  const instance = await definition.create(
    { ...config, name: 'dedup' },
    { outputDir: '.', env: {} },
  );
  const rows = generate(size, size / 10).map((r) => ({ task_name: 't', input: r.text }));
  const started = performance.now();
  await instance.call(rows, undefined, { emit() {} });
  return (performance.now() - started) / 1000;
}

const results = [];
for (const scenario of scenarios) {
  const result = runScenario(scenario);
  results.push(result);
  console.log(
    `${result.name.padEnd(24)} ${result.wallS.toFixed(2).padStart(7)} s  ${result.peakMb.toFixed(0).padStart(5)} MB  caught ${result.caught}/${result.copies} (${result.caughtPct.toFixed(2)}%)  originals removed ${result.originalsRemoved}  families gone ${result.familiesGone}`,
  );
}
const inProcess = [];
if (!quick) {
  for (const records of [10_000, 25_000, 50_000, 100_000])
    inProcess.push({ block: 'minhash_dedup', records, s: await blockOnly(records, MINHASH) });
  for (const records of [1_000, 2_000, 5_000])
    inProcess.push({ block: 'rouge_scorer', records, s: await blockOnly(records, ROUGE) });
}
for (const r of inProcess)
  console.log(`block only: ${r.block} ${r.records} records ${r.s.toFixed(2)} s`);
writeFileSync(path.join(workDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

if (!quick) {
  const row = (r) =>
    `| ${r.block} | ${r.records.toLocaleString('en')} | ${r.batchSize} | ${r.wallS.toFixed(2)} | ${r.peakMb.toFixed(0)} | ${r.caught.toLocaleString('en')} / ${r.copies.toLocaleString('en')} (${r.caughtPct.toFixed(2)}%) | ${r.originalsRemoved} | ${r.familiesGone} |`;
  const header =
    '| block | records | batch | wall s | peak RSS MB | planted copies caught | originals wrongly removed | families removed entirely |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
  const table = results.map(row).join('\n');
  const growth = (type) => {
    const rows = results.filter((r) => r.block === type && r.batchSize === 100);
    rows.sort((a, b) => a.records - b.records);
    const base = rows[0];
    return rows
      .map(
        (r) =>
          `| ${type} | ${r.records.toLocaleString('en')} | ${r.wallS.toFixed(2)} | ${(r.records / base.records).toFixed(1)}× | ${(r.wallS / base.wallS).toFixed(1)}× |`,
      )
      .join('\n');
  };
  const template = readFileSync(path.join(here, 'RESULTS.template.md'), 'utf8');
  writeFileSync(
    path.join(here, 'RESULTS.md'),
    template
      .replace(
        '{{machine}}',
        `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
      )
      .replace('{{table}}', `${header}\n${table}`)
      .replace(
        '{{inprocess}}',
        `| block | records | block call s |\n| --- | ---: | ---: |\n${inProcess.map((r) => `| ${r.block} | ${r.records.toLocaleString('en')} | ${r.s.toFixed(2)} |`).join('\n')}`,
      )
      .replace(
        '{{growth}}',
        `| block | records | wall s | size | time |\n| --- | ---: | ---: | ---: | ---: |\n${growth('rouge_scorer')}\n${growth('minhash_dedup')}`,
      ),
  );
  // Keep the generated file in the repository's format (aligned tables).
  spawnSync(
    path.join(root, 'node_modules/.bin/biome'),
    ['format', '--write', path.join(here, 'RESULTS.md')],
    {
      stdio: 'ignore',
    },
  );
  console.log('wrote bench/dedup/RESULTS.md');
}
