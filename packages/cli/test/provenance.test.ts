import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { appendReviewDecision, recordId } from '@dgt/core';
import { type FakeLmServer, startFakeOpenAI } from '@dgt/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, startCli, tempDir, writeGeneratorOverride } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');

let server: FakeLmServer;
beforeAll(async () => {
  server = await startFakeOpenAI({ latencyMs: 15 });
});
afterAll(async () => {
  await server.close();
});

async function project(target: number) {
  const dir = await tempDir();
  await writeGeneratorOverride(dir, 'openai', server.baseURL, { max_concurrency: 4 });
  const args = [
    'run',
    ...['--task-paths', GEOGRAPHY, '--config-path', 'override.yaml'],
    ...['--num-outputs-to-generate', String(target), '--seed-batch-size', '6'],
    ...['--machine-batch-size', '2', '--output-dir', 'out'],
  ];
  const taskDir = path.join(dir, 'out/examples/geography_qa');
  return { dir, args, taskDir };
}

async function lineCount(file: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').length - 1;
}

/** Every record of data.jsonl has its provenance entry on the same line, and no entry is extra. */
async function expectAligned(taskDir: string) {
  const data = await readJsonl(path.join(taskDir, 'data.jsonl'));
  const provenance = await readJsonl(path.join(taskDir, 'provenance.jsonl'));
  expect(provenance.map((entry) => entry.id)).toEqual(data.map((record) => recordId(record)));
  return { data, provenance };
}

describe('provenance.jsonl', () => {
  it('describes every record: model, request, reply, examples, usage', async () => {
    const { dir, args, taskDir } = await project(12);
    expect((await runCli(args, { cwd: dir })).code).toBe(0);
    const { data, provenance } = await expectAligned(taskDir);
    expect(data).toHaveLength(12);
    for (const [i, entry] of provenance.entries()) {
      expect(entry).toMatchObject({
        task: 'examples/geography_qa',
        builder: { id: 'public/examples/geography_qa' },
        blocks: { generator: expect.stringMatching(/^openai@/) },
        lm_attribution: 'reply',
      });
      const [request] = entry.lm as Record<string, unknown>[];
      expect(request).toMatchObject({ provider: 'openai', model: 'fake-model', ok: true });
      expect(request!.cacheKey).toMatch(/^[0-9a-f]{64}$/);
      // The reply the record was read from contains the record's question.
      expect(JSON.stringify(request!.response)).toContain(
        JSON.stringify(data[i]!.question).slice(1, -1),
      );
      expect(entry.prompt_tokens as number).toBeGreaterThan(0);
      expect((entry.examples as string[]).length).toBeGreaterThan(0);
    }
  });

  it('stays aligned with data.jsonl after SIGKILL at many moments (no orphan, none missing)', async () => {
    const { dir, args, taskDir } = await project(50);
    const data = path.join(taskDir, 'data.jsonl');
    let kills = 0;
    for (const afterRecords of [1, 6, 14, 22, 31, 40, 47]) {
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
    }
    expect(kills).toBeGreaterThanOrEqual(5);
    // A kill between the two appends of a commit (a window too narrow to hit by timing) leaves
    // entries whose records never landed: make that state by hand too.
    const orphans = [1, 2, 3].map((n) => JSON.stringify({ id: `orphan${n}`, attempt: 99 }));
    await appendFile(path.join(taskDir, 'provenance.jsonl'), `${orphans.join('\n')}\n`);
    expect((await runCli(args, { cwd: dir })).code).toBe(0);
    const { provenance } = await expectAligned(taskDir);
    expect(provenance).toHaveLength(50);
    expect(provenance.filter((entry) => entry.missing)).toEqual([]);
  });
});

describe('review decisions', () => {
  it('the next run drops rejected records, tops up to the target and applies edits', async () => {
    const { dir, args, taskDir } = await project(15);
    expect((await runCli(args, { cwd: dir })).code).toBe(0);
    const before = await readJsonl(path.join(taskDir, 'final_data.jsonl'));
    expect(before).toHaveLength(15);
    const [rejected, edited] = [before[3]!, before[7]!];
    const time = new Date().toISOString();
    await appendReviewDecision(taskDir, { id: recordId(rejected), decision: 'reject', time });
    const newRecord = { ...edited, answer: 'Edited by a reviewer' };
    await appendReviewDecision(taskDir, {
      id: recordId(edited),
      decision: 'edit',
      record: newRecord,
      time,
    });
    const data = await readFile(path.join(taskDir, 'data.jsonl'), 'utf8');

    const rerun = await runCli(args, { cwd: dir });
    expect(rerun.code).toBe(0);
    const after = await readJsonl(path.join(taskDir, 'final_data.jsonl'));
    expect(after).toHaveLength(15);
    const ids = after.map((record) => recordId(record));
    expect(ids).not.toContain(recordId(rejected));
    expect(ids).not.toContain(recordId(edited));
    expect(after).toContainEqual(newRecord);
    expect(after.indexOf(after.find((r) => r.answer === 'Edited by a reviewer')!)).toBe(6);
    const reviewRejects = await readJsonl(path.join(taskDir, 'blocks/_review.jsonl'));
    expect(reviewRejects).toEqual([
      {
        ...rejected,
        _block: '_review',
        _reason: `rejected in review (record ${recordId(rejected)})`,
      },
    ]);
    const { provenance } = await expectAligned(taskDir);
    expect(provenance.find((e) => e.id === recordId(newRecord))?.edited_from).toBe(
      recordId(edited),
    );
    // The decisions were applied once: a third run changes nothing.
    expect(data).not.toBe(await readFile(path.join(taskDir, 'data.jsonl'), 'utf8'));
    const settled = await readFile(path.join(taskDir, 'data.jsonl'), 'utf8');
    expect((await runCli(args, { cwd: dir })).code).toBe(0);
    expect(await readFile(path.join(taskDir, 'data.jsonl'), 'utf8')).toBe(settled);
  });
});
