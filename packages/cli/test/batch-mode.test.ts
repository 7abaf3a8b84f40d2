import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type FakeLmServer, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, startCli, tempDir } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const SIMPLE = path.join(REPO, 'examples/simple-skills/task.yaml');

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** An override giving a builder's generator short gather and poll intervals (the fake is fast). */
async function fastBatches(dir: string, builder: string) {
  await writeFile(
    path.join(dir, 'override.yaml'),
    `databuilders:\n  ${builder}:\n    blocks:\n      - name: generator\n        batch_gather_window: 0.05\n        batch_poll_interval: 0.02\n`,
  );
}

function runArgs(task: string, server: FakeLmServer, extra: string[] = []) {
  return [
    'run',
    '--task-paths',
    task,
    '--engine',
    'openai',
    '--model',
    'gpt-4o-mini',
    '--base-url',
    server.baseURL,
    '--config-path',
    'override.yaml',
    '--output-dir',
    'out',
    ...extra,
  ];
}

/** Every request id of every batch the server saw, and how often each was submitted. */
function submissions(server: FakeLmServer): Map<string, number> {
  const counts = new Map<string, number>();
  for (const batch of server.batches)
    for (const id of batch.customIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

describe('dgt run --batch', () => {
  it('runs the geography example through batches only, at half the online cost', async () => {
    const batchServer = await startFakeOpenAI();
    const onlineServer = await startFakeOpenAI();
    servers.push(batchServer, onlineServer);
    const dir = await tempDir();
    await fastBatches(dir, 'public/examples/geography_qa');
    const result = await runCli(runArgs(GEOGRAPHY, batchServer, ['--batch']), { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(batchServer.stats.requests).toBe(0);
    expect(batchServer.batches.length).toBeGreaterThan(0);
    expect([...submissions(batchServer).values()].every((n) => n === 1)).toBe(true);
    expect(result.stderr).toMatch(/batches 0 pending, \d+ completed, waited/);
    const out = path.join(dir, 'out/examples/geography_qa');
    expect(await readJsonl(path.join(out, 'final_data.jsonl'))).toHaveLength(20);
    const [batched] = await readJsonl(path.join(out, 'task_results.jsonl'));

    const online = await tempDir();
    await fastBatches(online, 'public/examples/geography_qa');
    const plain = await runCli(runArgs(GEOGRAPHY, onlineServer), { cwd: online });
    expect(plain.code, plain.stderr).toBe(0);
    expect(onlineServer.batches).toHaveLength(0);
    const [direct] = await readJsonl(
      path.join(online, 'out/examples/geography_qa/task_results.jsonl'),
    );
    // gpt-4o-mini: $0.15 / $0.60 per million tokens; batches at half that.
    const price = (r: Record<string, unknown>) =>
      ((r.promptTokens as number) * 0.15 + (r.completionTokens as number) * 0.6) / 1e6;
    expect(batched!.costUsd as number).toBeCloseTo(price(batched!) / 2, 10);
    expect(direct!.costUsd as number).toBeCloseTo(price(direct!), 10);
    const ratio = (batched!.costUsd as number) / (direct!.costUsd as number);
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(0.6);
  });

  it('runs the simple (InstructLab) example through batches only', async () => {
    const server = await startFakeOpenAI();
    servers.push(server);
    const dir = await tempDir();
    await fastBatches(dir, 'public/instructlab/simple');
    const result = await runCli(runArgs(SIMPLE, server, ['--batch']), { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(server.stats.requests).toBe(0);
    expect(server.batches.length).toBeGreaterThan(0);
    const final = await readJsonl(
      path.join(dir, 'out/examples/simple_skills/unit_conversion/final_data.jsonl'),
    );
    expect(final).toHaveLength(12);
  });

  it('does not submit a batch that could take a task past --max-cost', async () => {
    const server = await startFakeOpenAI();
    servers.push(server);
    const dir = await tempDir();
    await fastBatches(dir, 'public/examples/geography_qa');
    const result = await runCli(
      runArgs(GEOGRAPHY, server, [
        '--batch',
        '--max-cost',
        '0.00001',
        '--max-stalled-requests',
        '2',
      ]),
      { cwd: dir },
    );
    expect(result.code).toBe(1);
    expect(server.batches).toHaveLength(0);
    expect(server.stats.requests).toBe(0);
    const [results] = await readJsonl(
      path.join(dir, 'out/examples/geography_qa/task_results.jsonl'),
    );
    expect(results).toMatchObject({ costUsd: 0, accepted: 0 });
  });

  it('resumes after kill -9 with batches pending by re-attaching, never submitting a request twice', async () => {
    let hold = true;
    const server = await startFakeOpenAI({
      // Batches created before the kill stay pending until released; later ones finish fast.
      batch: { delayMs: () => (hold ? Number.POSITIVE_INFINITY : 20) },
    });
    servers.push(server);
    const dir = await tempDir();
    await fastBatches(dir, 'public/examples/geography_qa');
    const args = runArgs(GEOGRAPHY, server, ['--batch']);
    const first = startCli(args, { cwd: dir });
    for (let i = 0; i < 2000 && server.batches.length < 1; i++)
      await new Promise((r) => setTimeout(r, 5));
    // Let the journal line follow the batch creation (and other attempts gather theirs), then
    // kill without warning.
    await new Promise((r) => setTimeout(r, 300));
    first.child.kill('SIGKILL');
    await first.done;
    const before = server.batches.length;
    expect(before).toBeGreaterThanOrEqual(1);
    expect(server.batches.every((b) => b.outcome === undefined)).toBe(true);

    // The batches finish while no run is up; the resumed run collects them.
    hold = false;
    server.finishBatches();
    const second = await runCli(args, { cwd: dir });
    expect(second.code, second.stderr).toBe(0);
    expect(server.stats.requests).toBe(0);
    const counts = submissions(server);
    const twice = [...counts].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
    // The resumed run asked again for what the pending batches carried, and was answered by them.
    const pendingKeys = server.batches.slice(0, before).flatMap((b) => b.customIds);
    expect(pendingKeys.length).toBeGreaterThan(0);
    expect(
      await readJsonl(path.join(dir, 'out/examples/geography_qa/final_data.jsonl')),
    ).toHaveLength(20);
  });
});
