import path from 'node:path';
import { startFakeOpenAI } from '@dgt/testing';
import { describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, tempDir } from './run-cli.js';

describe('replies written as chat models write them cost no extra request', () => {
  it('geography reads JSON after prose, fences, bold labels, Q:/A:, headings and numbered items', async () => {
    const server = await startFakeOpenAI({ replyStyle: 'chat' });
    try {
      const dir = await tempDir();
      const result = await runCli(
        [
          'run',
          '--task-paths',
          path.join(REPO, 'examples/geography-qa/task.yaml'),
          '--engine',
          'openai',
          '--model',
          'm',
          '--base-url',
          server.baseURL,
          '--output-dir',
          'out',
          '--num-outputs-to-generate',
          '24',
          '--no-cache',
        ],
        { cwd: dir },
      );
      expect(result.code, result.stderr).toBe(0);
      const final = await readJsonl(path.join(dir, 'out/examples/geography_qa/final_data.jsonl'));
      expect(final).toHaveLength(24);
      // One request per record: no repair request for any dress.
      expect(server.stats.requests).toBe(24);
      expect(final.every((r) => !String(r.question).includes('**'))).toBe(true);
    } finally {
      await server.close();
    }
  }, 60_000);
});
