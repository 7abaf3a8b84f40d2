import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startFakeOpenAI } from '@dgt/testing';
import { describe, expect, it } from 'vitest';
import { REPO, readJsonl, startCli, tempDir } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const FINAL = 'examples/geography_qa/final_data.jsonl';

describe('two runs sharing one request cache', () => {
  it('both finish while writing it at the same time, and reruns of both are answered from it', async () => {
    const dir = await tempDir();
    const server = await startFakeOpenAI({ latencyMs: 20 });
    try {
      await writeFile(
        path.join(dir, 'override.yaml'),
        `databuilders:\n  public/examples/geography_qa:\n    blocks:\n      - name: generator\n        type: openai\n        model_id_or_path: m\n        base_url: ${server.baseURL}\n        max_concurrency: 8\n`,
      );
      // Two tasks whose prompts never coincide (B's seed answers differ), so each run's answers
      // are its own and a rerun must rebuild exactly its records.
      const text = await readFile(GEOGRAPHY, 'utf8');
      await writeFile(path.join(dir, 'a.yaml'), text);
      await writeFile(path.join(dir, 'b.yaml'), text.replaceAll('answer: ', 'answer: B '));
      const env = { DGT_CACHE_DIR: path.join(dir, 'shared-cache') };
      const run = (task: string, count: number, extra: string[] = []) =>
        startCli(
          [
            'run',
            '--task-paths',
            task,
            '--config-path',
            'override.yaml',
            '--output-dir',
            `out-${task[0]}`,
            '--num-outputs-to-generate',
            String(count),
            '--seed-batch-size',
            '8',
            // Examples from the seeds only: examples drawn from earlier outputs depend on which
            // attempts had committed when an attempt started, which varies from run to run now
            // that attempts commit as they complete.
            '--machine-batch-size',
            '0',
            ...extra,
          ],
          { cwd: dir, env },
        ).done;

      const [a, b] = await Promise.all([run('a.yaml', 120), run('b.yaml', 120)]);
      expect(a.stderr).not.toMatch(/warning|error/i);
      expect(b.stderr).not.toMatch(/warning|error/i);
      expect([a.code, b.code]).toEqual([0, 0]);
      const first = {
        a: await readJsonl(path.join(dir, 'out-a', FINAL)),
        b: await readJsonl(path.join(dir, 'out-b', FINAL)),
      };
      expect(first.a).toHaveLength(120);
      expect(first.b).toHaveLength(120);
      expect(server.stats.completed).toBeGreaterThanOrEqual(240);

      server.reset();
      const [againA, againB] = await Promise.all([
        run('a.yaml', 120, ['--restart']),
        run('b.yaml', 120, ['--restart']),
      ]);
      expect([againA.code, againB.code]).toEqual([0, 0]);
      expect(server.stats.requests).toBe(0);
      // Answered from the cache, a rerun rebuilds the same records.
      // The same records, in the order their attempts completed this time.
      const sorted = (records: Record<string, unknown>[]) =>
        records.map((record) => JSON.stringify(record)).sort();
      expect(sorted(await readJsonl(path.join(dir, 'out-a', FINAL)))).toEqual(sorted(first.a));
      expect(sorted(await readJsonl(path.join(dir, 'out-b', FINAL)))).toEqual(sorted(first.b));
    } finally {
      await server.close();
    }
  });
});
