import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { discoverPlugins, type Registry, runTasks } from '@dgt/core';
import { beforeAll, describe, expect, it } from 'vitest';

const packageDir = path.resolve(import.meta.dirname, '..');

async function jsonl(file: string) {
  return (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const STORY =
  'the harbour master counted the fishing boats returning through the thick evening fog before he locked the iron gate of the quay and walked home slowly along the cold grey pier to his small cottage';
const STORY_VARIANT = STORY.replace('counted', 'watched');
const OTHER =
  'a small orchard on the hill produced more apples than the family could eat so they pressed the rest into cider every autumn for the village fair';
const THIRD =
  'students in the old library whispered about the exam while the clock above the door ticked slowly towards the end of a very long afternoon';

const DEDUP_OVERRIDE = `databuilders:
  pipeline:
    blocks:
      - {name: dedup, type: minhash_dedup, filter: true, threshold: 0.7, input_map: {text: input}}
`;

let registry: Registry;
beforeAll(async () => {
  registry = await discoverPlugins({ projectRoot: packageDir });
});

async function project(records: Record<string, unknown>[], builder = 'pipeline') {
  const dir = await mkdtemp(path.join(tmpdir(), 'dgt-pipeline-'));
  await writeFile(
    path.join(dir, 'docs.jsonl'),
    records.map((record) => `${JSON.stringify(record)}\n`).join(''),
  );
  await writeFile(
    path.join(dir, 'task.yaml'),
    `task_name: docs\ndata_builder: ${builder}\ndata:\n  type: default\n  data_path: docs.jsonl\n`,
  );
  await writeFile(path.join(dir, 'override.yaml'), DEDUP_OVERRIDE);
  return dir;
}

describe('the pipeline builder', () => {
  it('dedups a JSONL file with a task file and an override: survivors in final_data.jsonl, rejects with reasons in blocks/dedup.jsonl', async () => {
    const dir = await project([
      { id: 1, text: STORY },
      { id: 2, text: OTHER },
      { id: 3, text: STORY_VARIANT },
      { id: 4, text: THIRD },
      { id: 5, text: OTHER.toUpperCase() },
    ]);
    const result = await runTasks({
      taskPaths: [path.join(dir, 'task.yaml')],
      configPath: path.join(dir, 'override.yaml'),
      cwd: dir,
      env: {},
      registry,
    });
    expect(result.status).toBe('completed');
    const final = await jsonl(path.join(dir, 'output/docs/final_data.jsonl'));
    expect(final.map((r) => r.id)).toEqual([1, 2, 4]);
    expect(final[0]).toMatchObject({ task_name: 'docs', text: STORY });
    const rejects = await jsonl(path.join(dir, 'output/docs/blocks/dedup.jsonl'));
    expect(rejects.map((r) => [r.id, r._block])).toEqual([
      [3, 'dedup'],
      [5, 'dedup'],
    ]);
    expect(rejects[0]!._reason).toMatch(/near duplicate of an earlier record \(estimated Jaccard/);
    expect(result.tasks[0]).toMatchObject({ accepted: 3, rejected: { dedup: 2 } });
  });

  it('answers to transform_pipeline too, and its index survives an interrupted run', async () => {
    const records = [
      { id: 1, text: STORY },
      { id: 2, text: OTHER },
      { id: 3, text: STORY_VARIANT },
      { id: 4, text: THIRD },
    ];
    const dir = await project(records, 'transform_pipeline');
    await writeFile(
      path.join(dir, 'task.yaml'),
      `task_name: docs\ndata_builder: transform_pipeline\ndata:\n  type: default\n  data_path: docs.jsonl\nrunner_config:\n  transform_batch_size: 2\n`,
    );
    const options = {
      taskPaths: [path.join(dir, 'task.yaml')],
      configPath: path.join(dir, 'override.yaml'),
      cwd: dir,
      env: {},
      registry,
    };
    // Stop after the first batch has been saved…
    const controller = new AbortController();
    const first = await runTasks({
      ...options,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'records') controller.abort();
      },
    });
    expect(first.status).toBe('interrupted');
    // …then resume in a new run: the variant of a first-batch record is still caught.
    const second = await runTasks(options);
    expect(second.status).toBe('completed');
    const final = await jsonl(path.join(dir, 'output/docs/final_data.jsonl'));
    expect(final.map((r) => r.id)).toEqual([1, 2, 4]);
  });

  it('runs several validators in order; without filter they mark rows', async () => {
    const dir = await project([
      { answer: '{"city": "Lima"}' },
      { answer: '{"city": 7}' },
      { answer: '{"city": "Quito"' },
      { answer: '{"city": "Oslo"}' },
    ]);
    await writeFile(
      path.join(dir, 'override.yaml'),
      `databuilders:
  pipeline:
    blocks:
      - {name: parses, type: syntax, language: json, filter: true, input_map: {answer: input}}
      - name: shape
        type: json_schema
        input_map: {answer: input}
        output_map: {is_valid: shape_ok, invalid_reason: shape_problem}
        schema: {type: object, required: [city], properties: {city: {type: string}}}
      - {name: not_oslo, type: regex, pattern: Oslo, invert: true, filter: true, input_map: {answer: input}}
`,
    );
    const result = await runTasks({
      taskPaths: [path.join(dir, 'task.yaml')],
      configPath: path.join(dir, 'override.yaml'),
      cwd: dir,
      env: {},
      registry,
    });
    expect(result.status).toBe('completed');
    const final = await jsonl(path.join(dir, 'output/docs/final_data.jsonl'));
    expect(final.map((r) => [r.answer, r.shape_ok])).toEqual([
      ['{"city": "Lima"}', true],
      ['{"city": 7}', false],
    ]);
    expect(final[1]!.shape_problem).toMatch(/\/city must be string/);
    expect(result.tasks[0]!.rejected).toEqual({ parses: 1, not_oslo: 1 });
  });

  it('runs examples/dedup-pipeline as its README says', async () => {
    const example = path.resolve(packageDir, '../../examples/dedup-pipeline');
    const outputDir = await mkdtemp(path.join(tmpdir(), 'dgt-pipeline-example-'));
    const result = await runTasks({
      taskPaths: [path.join(example, 'task.yaml')],
      configPath: path.join(example, 'override.yaml'),
      cwd: example,
      env: {},
      registry,
      runner: { outputDir },
    });
    expect(result.tasks[0]).toMatchObject({
      status: 'completed',
      accepted: 4,
      rejected: { dedup: 2, specs_schema: 1, length: 1 },
    });
    const final = await jsonl(path.join(outputDir, 'dedup_pipeline_example/final_data.jsonl'));
    expect(final.map((r) => r.id)).toEqual([1, 2, 5, 8]);
  });
});
