import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { startFakeOpenAI } from '@dgt/testing';
import { describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, tempDir } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const RESULTS = 'out/examples/geography_qa/task_results.jsonl';

function args(url: string, extra: string[] = []) {
  return [
    'run',
    '--task-paths',
    GEOGRAPHY,
    '--engine',
    'openai',
    '--model',
    'm',
    '--base-url',
    url,
    '--output-dir',
    'out',
    '--num-outputs-to-generate',
    '4',
    ...extra,
  ];
}

/** The summary table row of the geography task. */
function tableRow(stdout: string): string {
  return stdout.split('\n').find((line) => line.startsWith('examples/geography_qa ')) ?? '';
}

describe('the LM error behind a task that did not complete shows in its summary row', () => {
  it('a 401 on every request says to check the API key', async () => {
    const server = await startFakeOpenAI({
      faults: () => ({ status: 401, body: '{"error":{"message":"Incorrect API key provided"}}' }),
    });
    try {
      const dir = await tempDir();
      const result = await runCli(args(server.baseURL), { cwd: dir });
      expect(result.code).toBe(1);
      expect(tableRow(result.stdout)).toContain('check the API key');
      const [summary] = await readJsonl(path.join(dir, RESULTS));
      expect(summary?.cause).toBe('HTTP 401: check the API key');
    } finally {
      await server.close();
    }
  }, 60_000);

  it('an unreachable server shows in the row, not only in the footer', async () => {
    const dead = await startFakeOpenAI();
    const url = dead.baseURL;
    await dead.close();
    const dir = await tempDir();
    const result = await runCli(args(url), { cwd: dir });
    expect(result.code).toBe(1);
    expect(tableRow(result.stdout)).toContain('failed (LM server unreachable)');
  }, 30_000);

  it('a damaged request cache fails naming the cache file', async () => {
    const server = await startFakeOpenAI();
    try {
      const dir = await tempDir();
      const first = await runCli(args(server.baseURL), { cwd: dir });
      expect(first.code, first.stderr).toBe(0);
      const cacheFile = path.join(dir, '.dgt-cache', 'lm-cache.sqlite');
      // Overwrite every page after the first (the header) with garbage.
      const { size } = await stat(cacheFile);
      const handle = await open(cacheFile, 'r+');
      await handle.write(Buffer.alloc(size - 4096, 0x5a), 0, size - 4096, 4096);
      await handle.close();
      const second = await runCli(args(server.baseURL, ['--restart']), { cwd: dir });
      expect(second.code).not.toBe(0);
      expect(second.stdout + second.stderr).toContain(
        `The LM request cache ${cacheFile} is damaged`,
      );
      expect(second.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    } finally {
      await server.close();
    }
  }, 60_000);
});
