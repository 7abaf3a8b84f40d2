import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type FakeLmServer, lognormalLatency, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { lineCount, REPO, readJsonl, runCli, startCli, tempDir } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');

let server: FakeLmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The geography builder on the fake server, without its dedup postprocessor. */
async function noDedupOverride(dir: string, baseURL: string, maxConcurrency?: number) {
  const limit = maxConcurrency ? `        max_concurrency: ${maxConcurrency}\n` : '';
  await writeFile(
    path.join(dir, 'override.yaml'),
    `databuilders:\n  public/examples/geography_qa:\n    postprocessors: []\n    blocks:\n      - name: generator\n        type: openai\n        model_id_or_path: fake-model\n        base_url: ${baseURL}\n${limit}`,
  );
}

const key = (record: Record<string, unknown>) => JSON.stringify([record.question, record.answer]);

describe('scheduler, through dgt run', () => {
  it('resumes after SIGKILLs with the request cache on and no dedup, repeating no record', async () => {
    server = await startFakeOpenAI({ latencyMs: lognormalLatency({ medianMs: 8, sigma: 1 }) });
    const dir = await tempDir();
    await noDedupOverride(dir, server.baseURL, 8);
    const target = 80;
    // Examples come from the seeds only (no machine batch), so prompts often repeat across
    // attempts: a resumed run that used an attempt number again would be answered from the
    // cache with a record it already holds.
    const args = [
      'run',
      '--task-paths',
      GEOGRAPHY,
      '--config-path',
      'override.yaml',
      '--num-outputs-to-generate',
      String(target),
      '--seed-batch-size',
      '4',
      '--machine-batch-size',
      '0',
      '--output-dir',
      'out',
    ];
    const data = path.join(dir, 'out/examples/geography_qa/data.jsonl');
    let kills = 0;
    for (const afterRecords of [3, 9, 17, 26, 38, 47, 59, 71]) {
      const { child, done } = startCli(args, { cwd: dir });
      let exited = false;
      void done.then(() => (exited = true));
      const end = Date.now() + 20_000;
      while (!exited && Date.now() < end && (await lineCount(data)) < afterRecords)
        await new Promise((resolve) => setTimeout(resolve, 2));
      if (!exited) {
        child.kill('SIGKILL');
        kills++;
      }
      await done;
      const records = await readJsonl(data);
      expect(new Set(records.map(key)).size).toBe(records.length);
    }
    expect(kills).toBeGreaterThanOrEqual(5);
    const result = await runCli(args, { cwd: dir });
    expect(result.code).toBe(0);
    const records = await readJsonl(data);
    expect(new Set(records.map(key)).size).toBe(records.length);
    const final = await readJsonl(path.join(dir, 'out/examples/geography_qa/final_data.jsonl'));
    expect(final).toHaveLength(target);
    expect(new Set(final.map(key)).size).toBe(target);
    // The cache was on: requests of attempts cut short by a kill were found again.
    expect(result.code).toBe(0);
  });

  it('keeps --max-concurrency requests in flight at the server with slow, uneven replies', async () => {
    server = await startFakeOpenAI({ latencyMs: lognormalLatency({ medianMs: 250, sigma: 1 }) });
    const dir = await tempDir();
    await noDedupOverride(dir, server.baseURL);
    const target = 200;
    const samples: number[] = [];
    const fake = server;
    // The server's count of requests in flight, sampled while the first 80% of the requests
    // are made (the tail of a run admits only what it still needs).
    const sampler = setInterval(() => {
      if (fake.stats.requests > 0 && fake.stats.completed < 0.8 * target)
        samples.push(fake.stats.inFlight);
    }, 5);
    const result = await runCli(
      [
        'run',
        '--task-paths',
        GEOGRAPHY,
        '--config-path',
        'override.yaml',
        '--max-concurrency',
        '16',
        '--num-outputs-to-generate',
        String(target),
        '--output-dir',
        'out',
        '--no-cache',
      ],
      { cwd: dir },
    );
    clearInterval(sampler);
    expect(result.code).toBe(0);
    // --max-concurrency replaced the builder's own limit, and was never exceeded.
    expect(server.stats.maxInFlight).toBe(16);
    const mean = samples.reduce((sum, n) => sum + n, 0) / samples.length;
    // A fixed two attempts in flight, each waiting for its slowest reply, keep about 40% of the
    // slots busy here; admission by capacity keeps them nearly all busy (the margin is for a
    // loaded machine: replies are slow enough that CPU delays count little).
    expect(mean / 16).toBeGreaterThan(0.65);
    const final = await readJsonl(path.join(dir, 'out/examples/geography_qa/final_data.jsonl'));
    expect(final).toHaveLength(target);
    // Requests beyond the target: none when every reply makes a record.
    expect(server.stats.requests).toBe(target);
  });
});
