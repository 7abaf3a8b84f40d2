import path from 'node:path';
import { type FakeLmServer, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, tempDir, writeGeneratorOverride } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const TASK_DIR = 'out/examples/geography_qa';

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** The geography example with its generator on a fake OpenAI server serving `model`. */
async function geographyOn(model: string) {
  const server = await startFakeOpenAI();
  servers.push(server);
  const dir = await tempDir();
  await writeGeneratorOverride(dir, 'openai', server.baseURL, { model_id_or_path: model });
  const run = (extra: string[]) =>
    runCli(
      [
        'run',
        '--task-paths',
        GEOGRAPHY,
        '--config-path',
        'override.yaml',
        '--output-dir',
        'out',
        // Two requests per attempt.
        '--seed-batch-size',
        '2',
        '--machine-batch-size',
        '0',
        ...extra,
      ],
      { cwd: dir, env: { OPENAI_API_KEY: 'sk-test' } },
    );
  return { server, dir, run };
}

describe('dgt run --max-cost', () => {
  it('stops a task before an attempt would pass its budget, and exits 1', async () => {
    const { server, dir, run } = await geographyOn('gpt-4o-mini');
    // At gpt-4o-mini's list price an attempt here costs about $0.00005: a few fit in $0.00029.
    const budget = 0.00029;
    const result = await run(['--num-outputs-to-generate', '40', '--max-cost', String(budget)]);
    expect(result.code).toBe(1);
    const [summary] = await readJsonl(path.join(dir, TASK_DIR, 'task_results.jsonl'));
    expect(summary).toMatchObject({ status: 'budget', target: 40 });
    const spent = summary!.costUsd as number;
    const attempts = summary!.attempts as number;
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(summary!.reason).toMatch(
      /^estimated cost \$0\.000\d+ of the \$0\.00029 budget \(max_cost_usd\): another attempt, about \$0\.0000\d+ on average, would pass it$/,
    );
    // No overshoot, and no early stop: one more attempt of average cost would have passed it.
    expect(spent).toBeLessThanOrEqual(budget);
    expect(spent + spent / attempts).toBeGreaterThan(budget);
    // Every request the server got belongs to a committed attempt: none was started and dropped.
    expect(server.stats.requests).toBe(summary!.lmRequests);
    expect(server.stats.requests).toBe(2 * attempts);
    // What was accepted is kept, short of the target.
    const accepted = summary!.accepted as number;
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(40);
    expect(await readJsonl(path.join(dir, TASK_DIR, 'final_data.jsonl'))).toHaveLength(accepted);
    expect(result.stdout).toMatch(/examples\/geography_qa\s+budget\s/);
  });

  it('runs a single attempt when one attempt already costs more than the budget', async () => {
    const { server, dir, run } = await geographyOn('gpt-4o-mini');
    const result = await run(['--num-outputs-to-generate', '40', '--max-cost', '0.00001']);
    expect(result.code).toBe(1);
    const [summary] = await readJsonl(path.join(dir, TASK_DIR, 'task_results.jsonl'));
    expect(summary).toMatchObject({ status: 'budget', attempts: 1, lmRequests: 2 });
    expect(summary!.reason).toMatch(
      /^estimated cost \$0\.0000\d+ reached the budget of \$0\.00001 \(max_cost_usd\)$/,
    );
    // The attempt that would normally run beside the first was never started.
    expect(server.stats.requests).toBe(2);
  });

  it('warns once and runs on without a budget when the model has no price', async () => {
    const { dir, run } = await geographyOn('fake-model');
    const result = await run(['--num-outputs-to-generate', '6', '--max-cost', '0.00001']);
    expect(result.code).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('block generator has no price for model "fake-model"');
    expect(warnings[0]).toContain('pricing');
    expect(warnings[0]).toContain('DGT_PRICES_FILE');
    const [summary] = await readJsonl(path.join(dir, TASK_DIR, 'task_results.jsonl'));
    expect(summary).toMatchObject({ status: 'completed', accepted: 6 });
  });

  it('refuses a budget that is not an amount above 0', async () => {
    const dir = await tempDir();
    for (const value of ['0', 'abc']) {
      const result = await runCli(['run', '--task-paths', GEOGRAPHY, '--max-cost', value], {
        cwd: dir,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--max-cost needs');
    }
  });
});
