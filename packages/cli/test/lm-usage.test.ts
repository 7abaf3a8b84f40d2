import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, tempDir } from './run-cli.js';

const KNOWLEDGE = path.join(REPO, 'examples/knowledge-qa/task.yaml');

type Usage = { requests: number; promptTokens: number; completionTokens: number };

describe('LM usage per block', () => {
  it('is in task_results.jsonl, the run-end event and the summary when a run has several LM blocks', async () => {
    const dir = await tempDir();
    // The knowledge builder has a generator and an lm_judge validator with its own LM block.
    const args = ['run', '--task-paths', KNOWLEDGE, '--engine', 'mock', '--output-dir', 'out'];
    const result = await runCli(args, { cwd: dir });
    expect(result.code).toBe(0);
    const [summary] = await readJsonl(
      path.join(dir, 'out/examples/knowledge/honeybees/task_results.jsonl'),
    );
    const usage = summary!.lmUsage as Record<string, Usage>;
    expect(Object.keys(usage).sort()).toEqual(['generator', 'validator/lm']);
    // The blocks' figures add up to the task's.
    const total = (pick: (u: Usage) => number) =>
      Object.values(usage).reduce((n, u) => n + pick(u), 0);
    expect(total((u) => u.requests)).toBe(summary!.lmRequests);
    expect(total((u) => u.promptTokens)).toBe(summary!.promptTokens);
    expect(total((u) => u.completionTokens)).toBe(summary!.completionTokens);
    expect(usage.generator!.requests).toBeGreaterThan(0);
    expect(usage['validator/lm']!.requests).toBeGreaterThan(0);
    // The run summary shows one line per block, with what it called.
    const out = result.stdout + result.stderr;
    expect(out).toMatch(/^LM block\s+model\s+LM calls/m);
    expect(out).toMatch(
      new RegExp(`^generator\\s+mock mock\\s+${usage.generator!.requests}\\s`, 'm'),
    );

    const json = await runCli([...args, '--restart', '--json'], { cwd: dir });
    const end = json.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; tasks?: { lmUsage?: object }[] })
      .find((e) => e.type === 'run-end');
    expect(Object.keys(end!.tasks![0]!.lmUsage!).sort()).toEqual(['generator', 'validator/lm']);
  });
});
