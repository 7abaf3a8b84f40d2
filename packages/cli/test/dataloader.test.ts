import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, tempDir } from './run-cli.js';

// DiGiT's task-level `dataloader:` ({type, loop_over, fields}) decides how a generation task's
// seeds and a transformation's input records are read.

const SEEDS = [
  { q: 'Which river flows through Budapest?', a: 'The Danube' },
  { q: 'What is the capital of Kenya?', a: 'Nairobi' },
  { q: 'Which lake is the deepest in the world?', a: 'Lake Baikal' },
];

/** A geography task whose seeds are spelled q/a, with the given `dataloader:` lines. */
async function seedTask(dir: string, dataloader: string): Promise<void> {
  await writeFile(
    path.join(dir, 'seeds.jsonl'),
    `${SEEDS.map((s) => JSON.stringify(s)).join('\n')}\n`,
  );
  await writeFile(
    path.join(dir, 'task.yaml'),
    [
      'task_name: dl',
      'data_builder: public/examples/geography_qa',
      'seed_datastore:',
      '  type: default',
      '  data_path: seeds.jsonl',
      dataloader,
      'runner_config:',
      '  seed_batch_size: 1',
      '  machine_batch_size: 0',
      '  num_outputs_to_generate: 10',
      '',
    ].join('\n'),
  );
}

function run(dir: string, extra: string[] = []) {
  return runCli(
    ['run', '--task-paths', 'task.yaml', '--engine', 'mock', '--output-dir', 'out', ...extra],
    { cwd: dir },
  );
}

describe('dataloader: in a task file', () => {
  it('maps seed fields (fields) and hands each seed out once (loop_over: false)', async () => {
    const dir = await tempDir();
    await seedTask(
      dir,
      'dataloader:\n  type: default\n  loop_over: false\n  fields: {q: question, a: answer}',
    );
    const result = await run(dir);
    // Three seeds, one per batch, no generated records in batches: three attempts, then no more.
    const [summary] = await readJsonl(path.join(dir, 'out/dl/task_results.jsonl'));
    expect(result.code, result.stderr).toBe(1);
    expect(summary).toMatchObject({ status: 'failed', attempts: 3 });
    expect(String(summary?.reason)).toContain(
      'each seed was used once (dataloader: loop_over: false)',
    );
    // The builder saw the seeds under the names it reads (its prompt shows them as examples).
    const records = await readJsonl(path.join(dir, 'out/dl/data.jsonl'));
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => typeof r.question === 'string' && r.q === undefined)).toBe(true);
  }, 60_000);

  it('cycles the seeds by default and with loop_over: true, and warns what it does not use', async () => {
    const dir = await tempDir();
    await seedTask(
      dir,
      'dataloader:\n  loop_over: true\n  shufle: true\n  fields: {q: question, a: answer}',
    );
    const result = await run(dir);
    expect(result.code, result.stderr).toBe(0);
    const [summary] = await readJsonl(path.join(dir, 'out/dl/task_results.jsonl'));
    expect(summary).toMatchObject({ status: 'completed', accepted: 10 });
    expect(result.stderr).toMatch(/task\.yaml:8 task "dl" dataloader: unknown key "shufle"/);
  }, 60_000);

  it('without the mapping the seeds do not fit the builder: fields is what made them fit', async () => {
    const dir = await tempDir();
    await seedTask(dir, 'dataloader:\n  loop_over: true');
    const result = await run(dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('seed example 1 of task "dl"');
  }, 60_000);

  it("maps a transformation's input records, naming a record the mapping does not fit", async () => {
    const dir = await tempDir();
    const example = path.join(REPO, 'examples/dedup-pipeline');
    const rows = (await readFile(path.join(example, 'data.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // The descriptions are under `body`; the pipeline's blocks read `text`.
    const renamed = rows.map(({ text, ...rest }) => ({ ...rest, body: text }));
    await writeFile(
      path.join(dir, 'data.jsonl'),
      `${renamed.map((r) => JSON.stringify(r)).join('\n')}\n`,
    );
    const task = (await readFile(path.join(example, 'task.yaml'), 'utf8')).concat(
      'dataloader:\n  loop_over: true\n  fields: {"*": "*", body: text}\n',
    );
    await writeFile(path.join(dir, 'task.yaml'), task);
    const args = [
      'run',
      '--task-paths',
      'task.yaml',
      '--config-path',
      path.join(example, 'override.yaml'),
      '--output-dir',
      'out',
    ];
    const result = await runCli(args, { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('loop_over: true is ignored for a transformation task');
    const kept = await readJsonl(path.join(dir, 'out/dedup_pipeline_example/data.jsonl'));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((r) => typeof r.text === 'string' && r.text === r.body)).toBe(true);

    // A record without the mapped field stops the task with its position, not a silent gap.
    await writeFile(
      path.join(dir, 'data.jsonl'),
      `${JSON.stringify(renamed[0])}\n${JSON.stringify({ id: 2, specs: '{}' })}\n`,
    );
    const broken = await runCli([...args, '--restart'], { cwd: dir });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(
      'input record 2 of task "dedup_pipeline_example" has no field "body"',
    );
  }, 60_000);
});
