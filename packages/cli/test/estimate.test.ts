import path from 'node:path';
import { type FakeLmServer, startFakeOpenAI } from '@dgt/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, tempDir } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');

let server: FakeLmServer;
beforeAll(async () => {
  server = await startFakeOpenAI();
});
afterAll(() => server.close());

type Estimate = {
  tasks: Array<{
    task: string;
    records: number;
    requests: number;
    promptTokens: number;
    completionTokens: number;
    costUsd: number;
    batch: boolean;
    basis: string;
  }>;
  totalUsd: number | null;
};

async function estimate(dir: string, extra: string[]): Promise<Estimate> {
  const result = await runCli(
    [
      'estimate',
      '--task-paths',
      GEOGRAPHY,
      '--engine',
      'openai',
      '--model',
      'gpt-4o-mini',
      '--output-dir',
      'out',
      '--json',
      ...extra,
    ],
    { cwd: dir },
  );
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Estimate;
}

describe('dgt estimate', () => {
  it('prices a task from its seeds before any request, at half with --batch', async () => {
    const dir = await tempDir();
    const online = await estimate(dir, ['--num-outputs-to-generate', '1000']);
    const batch = await estimate(dir, ['--num-outputs-to-generate', '1000', '--batch']);
    const [task] = online.tasks;
    expect(task).toMatchObject({
      task: 'examples/geography_qa',
      records: 1000,
      basis: 'seeds',
      batch: false,
    });
    expect(task!.requests).toBeGreaterThanOrEqual(1000);
    // gpt-4o-mini at $0.15 / $0.60 per million tokens.
    expect(task!.costUsd).toBeCloseTo(
      (task!.promptTokens * 0.15 + task!.completionTokens * 0.6) / 1e6,
      12,
    );
    expect(batch.tasks[0]!.batch).toBe(true);
    expect(batch.totalUsd! / online.totalUsd!).toBeCloseTo(0.5, 10);
    expect(server.stats.requests).toBe(0);
  });

  it('uses what an earlier run of the task observed, for the records still to make', async () => {
    const dir = await tempDir();
    const run = await runCli(
      [
        'run',
        '--task-paths',
        GEOGRAPHY,
        '--engine',
        'openai',
        '--model',
        'gpt-4o-mini',
        '--base-url',
        server.baseURL,
        '--output-dir',
        'out',
      ],
      { cwd: dir },
    );
    expect(run.code, run.stderr).toBe(0);
    const [results] = await readJsonl(
      path.join(dir, 'out/examples/geography_qa/task_results.jsonl'),
    );
    const before = server.stats.requests;
    const { tasks } = await estimate(dir, ['--num-outputs-to-generate', '60']);
    expect(server.stats.requests).toBe(before);
    // 20 made, 40 to go: twice the first run's requests and cost.
    expect(tasks[0]).toMatchObject({ records: 40, basis: 'observed' });
    expect(tasks[0]!.requests).toBe(Math.ceil(40 * ((results!.lmRequests as number) / 20)));
    expect(tasks[0]!.costUsd).toBeCloseTo(2 * (results!.costUsd as number), 6);
  });
});
