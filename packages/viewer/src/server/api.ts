import type { IncomingMessage, ServerResponse } from 'node:http';
import { appendReviewDecision, recordId } from '@dgt/core';
import { send } from './respond.js';
import type { RecordFilter } from './task-folder.js';
import type { TaskRegistry } from './task-registry.js';
import { LATENCY_EDGES } from './task-stats.js';

const MAX_BODY = 1 << 20;
const MAX_PAGE = 500;

function int(value: string | null, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = value === null ? Number.NaN : Number(value);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, max) : fallback;
}

function numOrUndefined(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw Object.assign(new Error('the request body is not JSON'), { status: 400 });
  }
}

/** Routes `/api/…` (the request has passed the security checks). */
export async function handleApi(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  registry: TaskRegistry,
): Promise<void> {
  const parts = url.pathname.split('/').slice(2); // after "/api/"
  const q = url.searchParams;
  try {
    if (request.method === 'POST' && parts[0] === 'review' && parts.length === 1)
      return await postReview(request, response, registry);
    if (request.method !== 'GET') return send(response, 405, { error: 'method not allowed' });
    if (parts[0] === 'tasks' && parts.length === 1) {
      const tasks = await registry.list();
      return send(response, 200, {
        root: registry.root,
        tasks: await Promise.all(tasks.map((task) => task.summary())),
      });
    }
    if (parts[0] === 'events' && parts.length === 1) return events(request, response, registry);
    if (parts[0] !== 'task' || parts.length < 3) return send(response, 404, { error: 'not found' });
    let name: string;
    try {
      name = decodeURIComponent(parts[1]!);
    } catch {
      return send(response, 400, { error: 'bad task name' });
    }
    const task = await registry.get(name);
    if (!task)
      return send(response, 404, { error: `no task folder "${name}" under ${registry.root}` });
    switch (parts[2]) {
      case 'records': {
        const filter: RecordFilter = {};
        for (const key of ['q', 'field', 'value', 'verdict'] as const) {
          const value = q.get(key);
          if (value) filter[key] = value;
        }
        const scoreMin = numOrUndefined(q.get('score_min'));
        const scoreMax = numOrUndefined(q.get('score_max'));
        if (scoreMin !== undefined) filter.scoreMin = scoreMin;
        if (scoreMax !== undefined) filter.scoreMax = scoreMax;
        const limit = int(q.get('limit'), 100, MAX_PAGE);
        if (Object.keys(filter).length === 0)
          return send(response, 200, await task.page(int(q.get('offset'), 0), limit));
        return send(response, 200, await task.search(filter, int(q.get('from'), 0), limit));
      }
      case 'record': {
        const index = int(parts[3] ?? null, -1);
        const record = index >= 0 ? await task.record(index) : undefined;
        return record
          ? send(response, 200, record)
          : send(response, 404, { error: 'no such record' });
      }
      case 'facets':
        return send(response, 200, await task.facets());
      case 'rejects': {
        const block = q.get('block');
        if (!block) return send(response, 200, { blocks: await task.rejectCounts() });
        const page = await task.rejects(
          block,
          int(q.get('offset'), 0),
          int(q.get('limit'), 100, MAX_PAGE),
        );
        return page ? send(response, 200, page) : send(response, 404, { error: 'no such block' });
      }
      case 'stats':
        return send(response, 200, { ...(await task.taskStats()), latencyEdges: LATENCY_EDGES });
      case 'card':
        return send(response, 200, { card: (await task.card()) ?? null });
      case 'logs': {
        const end = q.get('end');
        return send(
          response,
          200,
          await task.logLines(
            end === null ? undefined : int(end, 0),
            int(q.get('limit'), 200, 1000),
          ),
        );
      }
      case 'summary':
        return send(response, 200, await task.summary());
      default:
        return send(response, 404, { error: 'not found' });
    }
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status) return send(response, status, { error: (error as Error).message });
    throw error;
  }
}

const DECISIONS = new Set(['approve', 'reject', 'edit']);

async function postReview(
  request: IncomingMessage,
  response: ServerResponse,
  registry: TaskRegistry,
): Promise<void> {
  const type = request.headers['content-type'] ?? '';
  // A form post from another page cannot send JSON without a CORS preflight, which this server
  // never grants.
  if (!type.startsWith('application/json'))
    return send(response, 415, { error: 'send the decision as application/json' });
  const body = (await readBody(request)) as Record<string, unknown> | null;
  const storeName = body?.store_name;
  const id = body?.id;
  const decision = body?.decision;
  if (typeof storeName !== 'string' || typeof id !== 'string' || typeof decision !== 'string')
    return send(response, 400, { error: 'expected {store_name, id, decision[, record, index]}' });
  if (!DECISIONS.has(decision))
    return send(response, 400, {
      error: `decision must be approve, reject or edit, not "${decision}"`,
    });
  const task = await registry.get(storeName);
  if (!task) return send(response, 404, { error: `no task folder "${storeName}"` });
  const record = body!.record;
  if (
    decision === 'edit' &&
    (record === null || typeof record !== 'object' || Array.isArray(record))
  )
    return send(response, 400, { error: 'an edit needs the new record as a JSON object' });
  // The record must exist: found at the index the page gave, or by scanning for its id.
  const index = typeof body!.index === 'number' ? body!.index : undefined;
  const found = index !== undefined ? await task.record(index) : undefined;
  if (found?.id !== id) {
    let exists = false;
    const total = await task.data.lines();
    for (let at = 0; at < total && !exists; at += 10_000) {
      for (const line of await task.data.read(at, at + 10_000)) {
        try {
          if (recordId(JSON.parse(line)) === id) {
            exists = true;
            break;
          }
        } catch {
          // An unreadable line has no id.
        }
      }
    }
    if (!exists) return send(response, 404, { error: `no record ${id} in ${storeName}` });
  }
  const saved = {
    id,
    decision: decision as 'approve' | 'reject' | 'edit',
    ...(decision === 'edit' ? { record: record as Record<string, unknown> } : {}),
    ...(typeof body!.note === 'string' ? { note: body!.note } : {}),
    time: new Date().toISOString(),
  };
  await appendReviewDecision(task.dir, saved);
  send(response, 200, { ok: true, decision: saved });
}

/** Server-sent events: `tasks` with the names of tasks whose files changed, checked each second. */
function events(request: IncomingMessage, response: ServerResponse, registry: TaskRegistry): void {
  response.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
  });
  response.write(': connected\n\n');
  const versions = new Map<string, string>();
  let busy = false;
  let first = true;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const changed: string[] = [];
      const tasks = await registry.list();
      for (const task of tasks) {
        const version = await task.version();
        if (versions.get(task.name) !== version) {
          if (!first) changed.push(task.name);
          versions.set(task.name, version);
        }
      }
      first = false;
      if (changed.length)
        response.write(`event: change\ndata: ${JSON.stringify({ tasks: changed })}\n\n`);
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick().catch(() => undefined), 1000);
  request.on('close', () => clearInterval(timer));
}
