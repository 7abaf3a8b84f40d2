import type { ServerResponse } from 'node:http';
import { countResults, createBatch, fakeId, findBatch, settle } from './batch-store.js';
import { type Route, type RouteHost, readBody, sendJson } from './server.js';
import type { FakeBatchRecord } from './types.js';

/** Anthropic's limits on one message batch: requests, and bytes of the request body. */
export const ANTHROPIC_BATCH_LIMITS = { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 };

const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function batchObject(host: RouteHost, batch: FakeBatchRecord) {
  const counts = countResults(batch);
  const ended = batch.outcome !== undefined;
  return {
    id: batch.id,
    type: 'message_batch',
    processing_status: ended
      ? 'ended'
      : batch.cancelledAt !== undefined
        ? 'canceling'
        : 'in_progress',
    request_counts: {
      processing: ended ? 0 : batch.items.length,
      succeeded: counts.succeeded,
      errored: counts.errored,
      canceled: counts.cancelled,
      expired: counts.expired,
    },
    ended_at: iso(batch.endedAt),
    created_at: iso(batch.createdAt),
    expires_at: iso(batch.createdAt + 24 * 3600_000),
    archived_at: null,
    cancel_initiated_at: iso(batch.cancelledAt),
    results_url: ended ? `${host.url}/v1/messages/batches/${batch.id}/results` : null,
  };
}

function resultLine(r: NonNullable<FakeBatchRecord['results']>[number]): string {
  if ('ended' in r) {
    return JSON.stringify({
      custom_id: r.customId,
      result: { type: r.ended === 'cancelled' ? 'canceled' : 'expired' },
    });
  }
  if (r.status === 200) {
    return JSON.stringify({
      custom_id: r.customId,
      result: { type: 'succeeded', message: r.body },
    });
  }
  return JSON.stringify({ custom_id: r.customId, result: { type: 'errored', error: r.body } });
}

function create(host: RouteHost, raw: string, res: ServerResponse) {
  const error = (status: number, message: string) =>
    sendJson(res, status, host.errorBody(status, message));
  const maxBytes = host.options.batch?.maxBytes ?? ANTHROPIC_BATCH_LIMITS.maxBytes;
  if (Buffer.byteLength(raw) > maxBytes)
    return error(413, `request too large: the limit is ${maxBytes} bytes`);
  const body = JSON.parse(raw) as { requests?: unknown };
  if (!Array.isArray(body.requests) || body.requests.length === 0)
    return error(400, 'requests: at least one request is required');
  const limit = host.options.batch?.maxRequests ?? ANTHROPIC_BATCH_LIMITS.maxRequests;
  if (body.requests.length > limit)
    return error(400, `requests: at most ${limit} requests per batch, got ${body.requests.length}`);
  const ids = new Set<string>();
  const items: FakeBatchRecord['items'] = [];
  for (const [i, request] of (body.requests as Array<Record<string, unknown>>).entries()) {
    const id = request?.custom_id;
    if (typeof id !== 'string' || !CUSTOM_ID.test(id))
      return error(400, `requests.${i}.custom_id: must match ${CUSTOM_ID.source}`);
    if (ids.has(id)) return error(400, `requests.${i}.custom_id: duplicate ${id}`);
    if (typeof request.params !== 'object' || request.params === null)
      return error(400, `requests.${i}.params: Field required`);
    ids.add(id);
    items.push({ customId: id, path: '/v1/messages', body: request.params });
  }
  const batch = createBatch(host, 'anthropic', fakeId('msgbatch_'), items);
  sendJson(res, 200, batchObject(host, batch));
}

/** Anthropic's Message Batches API: create, retrieve, list, cancel, and the results JSONL. */
export const anthropicBatchRoute: Route = (req, res, path, host) => {
  const run = (work: () => Promise<void>) => {
    work().catch((error) => {
      if (!res.headersSent) sendJson(res, 500, host.errorBody(500, String(error)));
    });
    return true;
  };
  if (path === '/v1/messages/batches' && req.method === 'POST') {
    return run(async () => create(host, await readBody(req), res));
  }
  if (path === '/v1/messages/batches' && req.method === 'GET') {
    return run(async () => {
      const data = [];
      for (const batch of [...host.batches].reverse()) {
        await settle(host, batch);
        data.push(batchObject(host, batch));
      }
      sendJson(res, 200, {
        data,
        has_more: false,
        first_id: data[0]?.id ?? null,
        last_id: data.at(-1)?.id ?? null,
      });
    });
  }
  const one = /^\/v1\/messages\/batches\/([^/]+)(\/cancel|\/results)?$/.exec(path);
  if (!one) return false;
  const action = one[2];
  if (
    !(req.method === 'GET' && action !== '/cancel') &&
    !(req.method === 'POST' && action === '/cancel')
  )
    return false;
  return run(async () => {
    if (req.method === 'POST') await readBody(req);
    const batch = findBatch(host, one[1]!);
    if (!batch) {
      sendJson(res, 404, host.errorBody(404, `message batch ${one[1]} not found`));
      return;
    }
    if (action === '/cancel' && !batch.outcome) batch.cancelledAt ??= Date.now();
    await settle(host, batch);
    if (action === '/results') {
      if (!batch.outcome) {
        sendJson(res, 404, host.errorBody(404, `batch ${batch.id} has not ended`));
        return;
      }
      const text = (batch.results ?? []).map(resultLine).join('\n');
      res.writeHead(200, { 'content-type': 'application/binary' });
      res.end(text ? `${text}\n` : '');
      return;
    }
    sendJson(res, 200, batchObject(host, batch));
  });
};
