import path from 'node:path';
import { type FakeLmServer, startFakeOpenAI } from '@dgt/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  lineCount,
  REPO,
  readJsonl,
  runCli,
  startCli,
  tempDir,
  writeGeneratorOverride,
} from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const TARGET = 60;

let server: FakeLmServer;
beforeAll(async () => {
  server = await startFakeOpenAI({ latencyMs: 15 });
});
afterAll(async () => {
  await server.close();
});

async function project() {
  const dir = await tempDir();
  await writeGeneratorOverride(dir, 'openai', server.baseURL, { max_concurrency: 4 });
  const args = [
    'run',
    '--task-paths',
    GEOGRAPHY,
    '--config-path',
    'override.yaml',
    '--num-outputs-to-generate',
    String(TARGET),
    '--seed-batch-size',
    '6',
    '--machine-batch-size',
    '2',
    '--output-dir',
    'out',
  ];
  const data = path.join(dir, 'out/examples/geography_qa/data.jsonl');
  return { dir, args, data };
}

/** Waits until `check` holds or the process exits; polls, with a deadline. */
async function until(
  check: () => Promise<boolean>,
  exited: () => boolean,
  deadlineMs = 20_000,
): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end && !exited()) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
}

describe('crash safety', () => {
  it('resumes after SIGKILL at many moments without losing or duplicating a record', async () => {
    const { dir, args, data } = await project();
    // Kill points: during start-up (by time) and mid-generation (by records on disk).
    const killPoints: ({ afterMs: number } | { afterRecords: number })[] = [
      { afterMs: 40 },
      { afterRecords: 1 },
      { afterRecords: 7 },
      { afterMs: 250 },
      { afterRecords: 19 },
      { afterRecords: 26 },
      { afterRecords: 33 },
      { afterRecords: 41 },
      { afterRecords: 52 },
      { afterRecords: 58 },
    ];
    const seenBeforeKills = new Set<string>();
    let kills = 0;
    for (const point of killPoints) {
      const { child, done } = startCli(args, { cwd: dir });
      let exited = false;
      void done.then(() => (exited = true));
      if ('afterMs' in point) await new Promise((resolve) => setTimeout(resolve, point.afterMs));
      else
        await until(
          async () => (await lineCount(data)) >= point.afterRecords,
          () => exited,
        );
      if (!exited) {
        child.kill('SIGKILL');
        kills++;
      }
      await done;
      // Whatever is on disk is readable (a torn last line at most) and free of duplicates.
      const records = await readJsonl(data);
      for (const record of records) seenBeforeKills.add(String(record.question));
    }
    expect(kills).toBeGreaterThanOrEqual(6);

    const result = await runCli(args, { cwd: dir });
    expect(result.code).toBe(0);
    const final = await readJsonl(path.join(dir, 'out/examples/geography_qa/final_data.jsonl'));
    expect(final).toHaveLength(TARGET);
    const questions = final.map((r) => String(r.question));
    expect(new Set(questions).size).toBe(TARGET);
    // Nothing that reached the disk before a kill was lost.
    const kept = new Set((await readJsonl(data)).map((r) => String(r.question)));
    for (const question of seenBeforeKills) expect(kept.has(question)).toBe(true);
  });

  it('--restart starts afresh instead of resuming', async () => {
    const { dir, args, data } = await project();
    expect((await runCli(args, { cwd: dir })).code).toBe(0);
    const first = new Set((await readJsonl(data)).map((r) => String(r.question)));
    const small = args.map((a) => (a === String(TARGET) ? '5' : a));
    // Without the request cache, a fresh start asks the server again and gets new records.
    const result = await runCli([...small, '--restart', '--no-cache'], { cwd: dir });
    expect(result.code).toBe(0);
    const after = await readJsonl(data);
    expect(after).toHaveLength(5);
    expect(after.some((r) => first.has(String(r.question)))).toBe(false);
    expect(
      await readJsonl(path.join(dir, 'out/examples/geography_qa/final_data.jsonl')),
    ).toHaveLength(5);
  });

  it('stops cleanly on SIGINT, keeping what was made, and the run resumes', async () => {
    const { dir, args, data } = await project();
    const { child, done } = startCli(args, { cwd: dir });
    let exited = false;
    void done.then(() => (exited = true));
    await until(
      async () => (await lineCount(data)) >= 10,
      () => exited,
    );
    const signalled = Date.now();
    child.kill('SIGINT');
    const stopped = await done;
    expect(stopped.code).toBe(130);
    expect(Date.now() - signalled).toBeLessThan(5000);
    expect(stopped.stderr).toContain('stopping after the attempts in flight');
    const kept = await readJsonl(data);
    expect(kept.length).toBeGreaterThanOrEqual(10);
    expect(kept.length).toBeLessThan(TARGET);
    expect(stopped.stdout).toMatch(/examples\/geography_qa\s+interrupted/);

    const resumed = await runCli(args, { cwd: dir });
    expect(resumed.code).toBe(0);
    const final = await readJsonl(path.join(dir, 'out/examples/geography_qa/final_data.jsonl'));
    expect(final).toHaveLength(TARGET);
    const after = new Set((await readJsonl(data)).map((r) => String(r.question)));
    for (const record of kept) expect(after.has(String(record.question))).toBe(true);
  });
});
