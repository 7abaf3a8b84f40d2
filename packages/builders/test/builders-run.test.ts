import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { discoverPlugins, runTasks } from '@dgt/core';
import { startFakeOpenAI } from '@dgt/testing';
import { describe, expect, it } from 'vitest';

const packageDir = path.resolve(import.meta.dirname, '..');

async function jsonl(file: string) {
  return (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the built-in builders run through discovery', () => {
  it('geography_qa: reaches its target with distinct questions; prompts mix seeds and earlier outputs', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-builders-'));
    await writeFile(
      path.join(dir, 'task.yaml'),
      'task_name: geo\ndata_builder: geography_qa\nseed_examples:\n  - {question: What is the capital of Chile?, answer: Santiago}\n  - {question: Which river crosses Baghdad?, answer: The Tigris}\n',
    );
    let n = 0;
    const server = await startFakeOpenAI({
      // Replies take a while, as a model's do, so commits land between them.
      latencyMs: 50,
      reply: () =>
        JSON.stringify({ question: `Generated question ${++n}?`, answer: `Answer ${n}` }),
    });
    try {
      // This package's own package.json lists blocks-lm and blocks-validators: discovery finds
      // the builders (its own dgt field) and the blocks (its dependencies).
      const registry = await discoverPlugins({ projectRoot: packageDir });
      const result = await runTasks({
        taskPaths: [path.join(dir, 'task.yaml')],
        cwd: dir,
        env: { DGT_CACHE_DIR: path.join(dir, '.dgt-cache') },
        registry,
        // One request at a time: attempts are admitted as the generator's queue empties, so the
        // first two (admitted before any commit) show only seeds and the third shows outputs.
        engine: { type: 'openai', model: 'm', baseUrl: server.baseURL, maxConcurrency: 1 },
        runner: { numOutputsToGenerate: 24, seedBatchSize: 5, machineBatchSize: 3 },
      });
      expect(result.status).toBe('completed');
      const final = await jsonl(path.join(dir, 'output/geo/final_data.jsonl'));
      expect(final).toHaveLength(24);
      expect(new Set(final.map((r) => r.question)).size).toBe(24);
      const first = server.requests[0]!.prompt;
      expect(first).toContain('Question: What is the capital of Chile?');
      expect(first).not.toContain('Generated question');
      // Once outputs exist, later prompts show some of them as examples beside the seeds.
      const later = server.requests.slice(5).map((r) => r.prompt);
      expect(later.some((p) => p.includes('Generated question') && /Chile|Baghdad/.test(p))).toBe(
        true,
      );
    } finally {
      await server.close();
    }
  });

  it('geography_qa runs offline with the mock engine', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-builders-'));
    await writeFile(
      path.join(dir, 'task.yaml'),
      'task_name: geo\ndata_builder: public/examples/geography_qa\nseed_examples:\n  - {question: Where is Lake Titicaca?, answer: Peru and Bolivia}\n',
    );
    const registry = await discoverPlugins({ projectRoot: packageDir });
    const result = await runTasks({
      taskPaths: [path.join(dir, 'task.yaml')],
      cwd: dir,
      env: { DGT_CACHE_DIR: path.join(dir, '.dgt-cache') },
      registry,
      engine: { type: 'mock' },
      runner: { numOutputsToGenerate: 10 },
    });
    expect(result.tasks[0]).toMatchObject({ status: 'completed', accepted: 10 });
  });

  it('qa_rater: every input record comes out with a rating', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-builders-'));
    await writeFile(
      path.join(dir, 'data.jsonl'),
      '{"question":"What is the capital of Peru?","answer":"Lima"}\n{"question":"Longest river?","answer":"The Nile"}\n',
    );
    await writeFile(
      path.join(dir, 'task.yaml'),
      'task_name: rate\ndata_builder: qa_rater\ndata:\n  data_path: data.jsonl\n',
    );
    const registry = await discoverPlugins({ projectRoot: packageDir });
    const result = await runTasks({
      taskPaths: [path.join(dir, 'task.yaml')],
      cwd: dir,
      env: { DGT_CACHE_DIR: path.join(dir, '.dgt-cache') },
      registry,
      engine: { type: 'mock' },
    });
    expect(result.status).toBe('completed');
    const final = await jsonl(path.join(dir, 'output/rate/final_data.jsonl'));
    expect(final.map((r) => r.question)).toEqual([
      'What is the capital of Peru?',
      'Longest river?',
    ]);
    // The mock fills the rating schema, so the level is one of the five.
    for (const record of final) {
      expect(['very easy', 'easy', 'medium', 'hard', 'very hard']).toContain(
        (record.ratings as { difficulty: string }).difficulty,
      );
    }
  });
});
