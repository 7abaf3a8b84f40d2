import path from 'node:path';
import { startFakeOpenAI } from '@dgt/testing';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from './run-cli.js';

const MAGPIE = path.join(REPO, 'examples/magpie');

describe('embeddings go through the request cache', () => {
  it('a rerun of the magpie example makes no embeddings request (nor any other)', async () => {
    const server = await startFakeOpenAI();
    try {
      const dir = await tempDir();
      const args = [
        'run',
        '--task-paths',
        path.join(MAGPIE, 'task.yaml'),
        '--config-path',
        path.join(MAGPIE, 'override.yaml'),
        '--engine',
        'openai',
        '--model',
        'm',
        '--base-url',
        server.baseURL,
        '--output-dir',
        'out',
        // The rerun starts the task over: every request is asked again, of the cache.
        '--restart',
      ];
      const env = { OPENAI_API_KEY: 'k' };
      const count = (p: string) => server.requests.filter((r) => r.path === p).length;
      const first = await runCli(args, { cwd: dir, env });
      expect(first.code, first.stderr).toBe(0);
      const embeddings = count('/v1/embeddings');
      const chats = count('/v1/chat/completions');
      // magpie_distance embedded the records (through the embedder block, not lexical vectors).
      expect(embeddings).toBeGreaterThan(0);
      expect(first.stderr).not.toContain('lexical vectors');
      const rerun = await runCli(args, { cwd: dir, env });
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(count('/v1/embeddings')).toBe(embeddings);
      expect(count('/v1/chat/completions')).toBe(chats);
      // The summary shows the embedder's requests answered from the cache.
      expect(rerun.stdout).toMatch(/dedup\/embedder\s+openai m\s+0\s+[1-9]/);
    } finally {
      await server.close();
    }
  }, 120_000);
});
