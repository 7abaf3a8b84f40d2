import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type FakeLmServer, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, tempDir } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const TASK_DIR = 'out/examples/geography_qa';

let server: FakeLmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Bytes of every file under a folder. */
async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function runRepeating(reply: string, runnerKeys = '') {
  server = await startFakeOpenAI({ reply: () => reply });
  const dir = await tempDir();
  await writeFile(
    path.join(dir, 'override.yaml'),
    `databuilders:\n  public/examples/geography_qa:\n    blocks:\n      - name: generator\n        type: openai\n        model_id_or_path: m\n        base_url: ${server.baseURL}\n${runnerKeys}`,
  );
  const result = await runCli(
    [
      'run',
      '--task-paths',
      GEOGRAPHY,
      '--config-path',
      'override.yaml',
      '--num-outputs-to-generate',
      '50',
      '--output-dir',
      'out',
      '--no-cache',
      // The stall limit alone also ends a repeating model (each attempt whose records dedup
      // removes is no progress); lifted here so the caps under test are what stops the run.
      '--max-stalled-requests',
      '100000',
    ],
    { cwd: dir },
  );
  const [summary] = await readJsonl(path.join(dir, TASK_DIR, 'task_results.jsonl'));
  return { dir, result, summary, requests: server.stats.requests };
}

describe('a model that repeats one answer cannot spend without bound', () => {
  it('ends the task after a bounded number of requests, with the reason', async () => {
    const { dir, result, summary, requests } = await runRepeating(
      JSON.stringify({ question: 'What is the capital of France?', answer: 'Paris' }),
    );
    expect(result.code).toBe(1);
    // Few records are kept (the rest are duplicates): at most 100 + 50 per kept record, plus
    // what the attempts in flight had already sent when the cap was reached.
    const accepted = Number(summary?.accepted);
    expect(accepted).toBeLessThan(20);
    // The cap is checked as attempts commit (requests of committed attempts against their
    // records); attempts admitted meanwhile still send theirs, so a run ends a little past the
    // cap: 85 to 134 requests past 700 measured. Without the cap it never ends.
    expect(requests).toBeLessThanOrEqual(1.5 * (100 + 50 * accepted));
    expect(summary?.status).toBe('max-requests');
    expect(String(summary?.reason)).toContain('max_requests_per_record');
    expect(result.stdout + result.stderr).toContain('max_requests_per_record');
    expect(await folderBytes(path.join(dir, TASK_DIR))).toBeLessThan(2_000_000);
  }, 60_000);

  it('ends the task when its reject stores pass max_reject_store_mb', async () => {
    // Big replies that all repeat: dedup rejects them and the reject store grows fast.
    const { dir, result, summary } = await runRepeating(
      JSON.stringify({ question: 'What is the capital of France?', answer: 'x'.repeat(200_000) }),
      'tasks:\n  examples/geography_qa:\n    runner_config:\n      max_reject_store_mb: 1\n',
    );
    expect(result.code).toBe(1);
    expect(String(summary?.reason)).toContain('max_reject_store_mb');
    expect(await folderBytes(path.join(dir, TASK_DIR, 'blocks'))).toBeLessThan(4_000_000);
  }, 60_000);
});
