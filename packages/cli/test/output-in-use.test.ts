import path from 'node:path';
import { startFakeOpenAI } from '@dgt/testing';
import { describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, startCli, tempDir, writeGeneratorOverride } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const TASK_DIR = 'out/examples/geography_qa';

describe('two runs on one output folder', () => {
  it('refuses the second while the first is writing, and the first finishes untouched', async () => {
    const dir = await tempDir();
    const server = await startFakeOpenAI({ latencyMs: 150 });
    try {
      await writeGeneratorOverride(dir, 'openai', server.baseURL, { max_concurrency: 2 });
      const args = (...extra: string[]) => [
        'run',
        '--task-paths',
        GEOGRAPHY,
        '--config-path',
        'override.yaml',
        '--output-dir',
        'out',
        '--num-outputs-to-generate',
        '12',
        '--seed-batch-size',
        '4',
        ...extra,
      ];
      const first = startCli(args(), { cwd: dir });
      // Wait until the first run is making requests, then start a second one (a --restart,
      // which would otherwise wipe the first one's records).
      while (server.stats.requests === 0) await new Promise((r) => setTimeout(r, 20));
      const second = await runCli(args('--restart'), { cwd: dir });
      expect(second.code).toBe(2);
      expect(second.stderr).toContain('another dgt run (pid');
      expect(second.stderr).toContain(path.join(dir, TASK_DIR));
      expect(second.stderr).not.toMatch(/\n\s+at /);

      const done = await first.done;
      expect(done.code).toBe(0);
      const records = await readJsonl(path.join(dir, TASK_DIR, 'final_data.jsonl'));
      expect(records).toHaveLength(12);
      expect(await readJsonl(path.join(dir, TASK_DIR, 'data.jsonl'))).toHaveLength(12);

      // Once the first run is over, the folder is free again.
      const third = await runCli(args(), { cwd: dir });
      expect(third.code).toBe(0);
    } finally {
      await server.close();
    }
  });
});
