import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startFakeOpenAI } from '@dgt/testing';
import { describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, tempDir, withoutModule } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');

describe('dgt run without better-sqlite3', () => {
  it('runs with the request cache off and says why', async () => {
    const dir = await tempDir();
    const env = await withoutModule(dir, 'better-sqlite3');
    const server = await startFakeOpenAI();
    try {
      await writeFile(
        path.join(dir, 'override.yaml'),
        `databuilders:\n  public/examples/geography_qa:\n    blocks:\n      - name: generator\n        type: openai\n        model_id_or_path: m\n        base_url: ${server.baseURL}\n`,
      );
      const result = await runCli(
        [
          'run',
          '--task-paths',
          GEOGRAPHY,
          '--config-path',
          'override.yaml',
          '--output-dir',
          'out',
          '--num-outputs-to-generate',
          '6',
        ],
        { cwd: dir, env },
      );
      expect(result.stderr).toContain('request cache is off for this run');
      expect(result.stderr).toContain('better-sqlite3');
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.code).toBe(0);
      const records = await readJsonl(path.join(dir, 'out/examples/geography_qa/final_data.jsonl'));
      expect(records).toHaveLength(6);
      expect(server.stats.completed).toBeGreaterThanOrEqual(6);
      expect(existsSync(path.join(dir, '.dgt-cache', 'lm-cache.sqlite'))).toBe(false);
    } finally {
      await server.close();
    }
  });
});
