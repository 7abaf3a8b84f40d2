import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type FakeLmServer, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, tempDir } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const TASK_DIR = 'out/examples/geography_qa';
/** The openai block's default max_concurrency: requests of a task that can be on the wire. */
const DEFAULT_MAX_CONCURRENCY = 8;

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
    // Admission counts the requests of attempts in flight (at least an attempt's average each)
    // and the next attempt's, and a task's attempts stop sending once it ended: a run may pass
    // the cap by the requests already on the wire, at most the block's max_concurrency.
    // Measured: 148 requests for 1 record (cap 150); 85 to 183 past the cap when it was checked
    // on commits alone. Without the cap it never ends.
    expect(requests).toBeLessThanOrEqual(100 + 50 * accepted + DEFAULT_MAX_CONCURRENCY);
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

  it('leaves a healthy fast run alone: 3000 records with the mock engine complete', async () => {
    // The cap is weighed while records are still being committed: a run whose attempts reply
    // at once must not be held back or ended by it (an earlier cap ended such a run at 10).
    const dir = await tempDir();
    const result = await runCli(
      [
        'run',
        '--task-paths',
        GEOGRAPHY,
        '--engine',
        'mock',
        '--num-outputs-to-generate',
        '3000',
        '--output-dir',
        'out',
      ],
      { cwd: dir },
    );
    const [summary] = await readJsonl(path.join(dir, TASK_DIR, 'task_results.jsonl'));
    expect(result.code, result.stderr).toBe(0);
    expect(summary).toMatchObject({ status: 'completed', accepted: 3000 });
  }, 120_000);

  it('leaves a healthy costly builder alone: RAG conversations of ~25 requests each complete', async () => {
    // Each record costs many requests and some conversations are dropped: the cap weighs what
    // the attempts in flight are expected to keep, so one attempt per seed runs on to the end.
    const dir = await tempDir();
    const result = await runCli(
      [
        'run',
        '--task-paths',
        path.join(REPO, 'examples/rag-conversation/task.yaml'),
        '--engine',
        'mock',
        '--num-outputs-to-generate',
        '40',
        '--seed-batch-size',
        '1',
        '--output-dir',
        'out',
      ],
      { cwd: dir },
    );
    const [summary] = await readJsonl(
      path.join(dir, 'out/examples/rag/city_services/task_results.jsonl'),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(summary).toMatchObject({ status: 'completed', accepted: 40 });
    expect(Number(summary?.lmRequests)).toBeGreaterThan(15 * 40);
  }, 120_000);
});
