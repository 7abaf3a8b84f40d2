// Bounded memory: a transformation over 1,000,000 JSONL records (the `pipeline` builder with
// `exact_dedup`) must stream, with peak RSS under 400 MB.
//
//   pnpm build && node bench/memory/run.mjs [--records 1000000] [--batch 100]
//
// Writes the input file (one record in ten repeats an earlier text exactly), runs `dgt run`
// under /usr/bin/time -v, and prints wall time, peak RSS and the counts it checks.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = path.join(root, 'packages/cli/dist/bin.js');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const count = arg('records', 1_000_000);
const batch = arg('batch', 100);
const dir = path.join(os.tmpdir(), 'dgt-bench-memory');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

// Input: ~200-byte records; every tenth repeats the text of an earlier record.
const input = path.join(dir, 'records.jsonl');
const out = createWriteStream(input);
let duplicates = 0;
for (let i = 0; i < count; i++) {
  const copy = i % 10 === 9;
  if (copy) duplicates++;
  // A copy repeats an earlier original (never another copy), so each copy is one duplicate.
  let source = copy ? Math.floor(i / 2) : i;
  if (copy && source % 10 === 9) source -= 1;
  const line = `${JSON.stringify({ id: i, text: `Record ${source}: the quick survey of item ${source * 7919} found ${source % 97} notes about region ${source % 13}.` })}\n`;
  if (!out.write(line)) await once(out, 'drain');
}
out.end();
await once(out, 'finish');

writeFileSync(
  path.join(dir, 'task.yaml'),
  `task_name: memory\ndata_builder: pipeline\ndata:\n  type: default\n  data_path: records.jsonl\nrunner_config:\n  transform_batch_size: ${batch}\n`,
);
writeFileSync(
  path.join(dir, 'override.yaml'),
  'databuilders:\n  pipeline:\n    blocks:\n      - {name: dedup, type: exact_dedup, filter: true, input_map: {text: input}}\n',
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
    'out',
  ],
  {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  },
);
const seconds = (performance.now() - started) / 1000;
if (run.status !== 0) {
  console.error(run.stdout, run.stderr);
  process.exit(1);
}
const peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1]);

async function lines(file) {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(file) })) if (line) n++;
  return n;
}
const final = await lines(path.join(dir, 'out/memory/final_data.jsonl'));
const rejected = await lines(path.join(dir, 'out/memory/blocks/dedup.jsonl'));
const result = {
  date: new Date().toISOString(),
  node: process.version,
  records: count,
  transformBatchSize: batch,
  seconds: Number(seconds.toFixed(1)),
  peakRssMb: Math.round(peakKb / 1024),
  kept: final,
  rejected,
  expectedRejected: duplicates,
  ok: final + rejected === count && rejected === duplicates && peakKb / 1024 < 400,
};
console.log(JSON.stringify(result, null, 2));
if (!existsSync(path.join(dir, 'out'))) process.exitCode = 1;
if (!result.ok) process.exitCode = 1;
