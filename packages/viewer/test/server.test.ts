import { appendFile, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { recordId } from '@dgt/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startViewer, type Viewer } from '../src/index.js';

let root: string;
let outside: string;
let viewer: Viewer;
let base: string;
const TASK = 'demo/qa';
const records = Array.from({ length: 30 }, (_, i) => ({
  task_name: TASK,
  is_seed: false,
  q: `question ${i}`,
  a: `answer ${i}`,
}));

/** A raw HTTP request (fetch cannot set Host or leave Origin out at will). */
function call(
  method: string,
  pathname: string,
  { headers = {}, body }: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; text: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path: pathname, headers },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

const auth = () => ({ 'X-DGT-Token': viewer.token });
const review = (body: unknown, headers: Record<string, string> = {}) =>
  call('POST', '/api/review', {
    headers: { 'Content-Type': 'application/json', ...auth(), ...headers },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'dgt-view-'));
  outside = await mkdtemp(path.join(tmpdir(), 'dgt-outside-'));
  await mkdir(path.join(root, TASK), { recursive: true });
  await writeFile(
    path.join(root, TASK, 'data.jsonl'),
    records.map((r) => `${JSON.stringify(r)}\n`).join(''),
  );
  await writeFile(path.join(outside, 'data.jsonl'), '{"secret":true}\n');
  // A link from inside the output folder to a folder outside it.
  await symlink(outside, path.join(root, 'escape'));
  viewer = await startViewer({ outputDir: root });
  base = viewer.url.replace(/\/\?token=.*/, '');
});

afterAll(async () => {
  await viewer.close();
});

describe('viewer server security', () => {
  it('listens on loopback and prints a URL with the token', () => {
    expect(viewer.url).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:\\d+/\\?token=${viewer.token}$`),
    );
  });

  it('answers API reads with the token only (401 without, 401 with a wrong one)', async () => {
    expect((await call('GET', '/api/tasks')).status).toBe(401);
    expect((await call('GET', '/api/tasks', { headers: { 'X-DGT-Token': 'nope' } })).status).toBe(
      401,
    );
    const ok = await call('GET', '/api/tasks', { headers: auth() });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text).tasks.map((t: { name: string }) => t.name)).toEqual([TASK]);
  });

  it('refuses a review without the token (401), from another origin (403) and from a rebound host name (403)', async () => {
    const body = { store_name: TASK, id: recordId(records[0]), decision: 'reject' };
    const noToken = await call('POST', '/api/review', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(noToken.status).toBe(401);
    expect((await review(body, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await review(body, { Host: 'evil.example:80' })).status).toBe(403);
    expect(
      (await call('GET', '/api/tasks', { headers: { ...auth(), Host: 'evil.example' } })).status,
    ).toBe(403);
    expect((await review(body, { 'Content-Type': 'text/plain' })).status).toBe(415);
    await expect(readFile(path.join(root, TASK, 'review.jsonl'), 'utf8')).rejects.toThrow();
  });

  it('keeps every path inside the output folder', async () => {
    for (const name of [
      '../',
      '..%2F..%2Fetc',
      '%2Fetc',
      'escape',
      `${encodeURIComponent(`${TASK}/../../..`)}`,
    ]) {
      const res = await call('GET', `/api/task/${name}/records`, { headers: auth() });
      expect([400, 404]).toContain(res.status);
      expect(res.text).not.toContain('secret');
    }
    expect((await review({ store_name: '../x', id: 'a', decision: 'reject' })).status).toBe(404);
    expect((await review({ store_name: 'escape', id: 'a', decision: 'reject' })).status).toBe(404);
    expect((await call('GET', '/assets/../../package.json')).status).toBe(404);
  });
});

describe('viewer API', () => {
  it('pages records by offset and finds them by text, field and review state', async () => {
    const page = JSON.parse(
      (
        await call('GET', `/api/task/${encodeURIComponent(TASK)}/records?offset=10&limit=5`, {
          headers: auth(),
        })
      ).text,
    );
    expect(page.total).toBe(30);
    expect(page.rows.map((r: { index: number }) => r.index)).toEqual([10, 11, 12, 13, 14]);
    expect(page.rows[0].id).toBe(recordId(records[10]));
    const found = JSON.parse(
      (
        await call('GET', `/api/task/${encodeURIComponent(TASK)}/records?q=question%202`, {
          headers: auth(),
        })
      ).text,
    );
    expect(found.rows.map((r: { index: number }) => r.index)).toEqual([
      2, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
    ]);
    const byField = JSON.parse(
      (
        await call(
          'GET',
          `/api/task/${encodeURIComponent(TASK)}/records?field=a&value=answer%207`,
          { headers: auth() },
        )
      ).text,
    );
    expect(byField.rows.map((r: { index: number }) => r.index)).toEqual([7]);
  });

  it('saves decisions in review.jsonl and never touches data.jsonl', async () => {
    const data = await readFile(path.join(root, TASK, 'data.jsonl'), 'utf8');
    expect(
      (await review({ store_name: TASK, id: recordId(records[3]), index: 3, decision: 'reject' }))
        .status,
    ).toBe(200);
    const edit = {
      store_name: TASK,
      id: recordId(records[4]),
      decision: 'edit',
      record: { q: 'new', a: 'new' },
    };
    expect((await review(edit)).status).toBe(200);
    expect(
      (await review({ store_name: TASK, id: 'ffffffffffffffff', decision: 'reject' })).status,
    ).toBe(404);
    expect(
      (await review({ store_name: TASK, id: recordId(records[5]), decision: 'edit' })).status,
    ).toBe(400);
    expect(
      (await review({ store_name: TASK, id: recordId(records[5]), decision: 'delete' })).status,
    ).toBe(400);
    const lines = (await readFile(path.join(root, TASK, 'review.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.id, l.decision])).toEqual([
      [recordId(records[3]), 'reject'],
      [recordId(records[4]), 'edit'],
    ]);
    expect(await readFile(path.join(root, TASK, 'data.jsonl'), 'utf8')).toBe(data);
    const filtered = JSON.parse(
      (
        await call('GET', `/api/task/${encodeURIComponent(TASK)}/records?verdict=review%3Areject`, {
          headers: auth(),
        })
      ).text,
    );
    expect(filtered.rows.map((r: { index: number }) => r.index)).toEqual([3]);
  });

  it('streams a change event when a run appends records', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/api/events?token=${viewer.token}`, {
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // First message: connected; then the append below must be reported.
    text += decoder.decode((await reader.read()).value);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await appendFile(
      path.join(root, TASK, 'data.jsonl'),
      `${JSON.stringify({ task_name: TASK, q: 'late' })}\n`,
    );
    const deadline = Date.now() + 5000;
    while (!text.includes('event: change') && Date.now() < deadline)
      text += decoder.decode((await reader.read()).value);
    controller.abort();
    expect(text).toContain(`"tasks":["${TASK}"]`);
  });
});
