import type { IncomingMessage, ServerResponse } from 'node:http';
import { countResults, createBatch, failBatch, fakeId, findBatch, settle } from './batch-store.js';
import { type Route, type RouteHost, readBody, sendJson } from './server.js';
import type { FakeBatchRecord } from './types.js';

/** OpenAI's limits on one batch: requests, and bytes of its input file. */
export const OPENAI_BATCH_LIMITS = { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 };

// Azure OpenAI serves the same APIs under /openai/… (the api-version is a query parameter).
const normalize = (path: string) => path.replace(/^\/openai\//, '/v1/');
// Azure's batch lines and endpoint omit the /v1 prefix.
const canonical = (path: string) => normalize(path).replace(/^\/(chat|completions)/, '/v1/$1');

/** The parts of a multipart/form-data body, by field name. */
function parseMultipart(
  raw: Buffer,
  contentType: string | undefined,
): Map<string, { filename?: string; text: string }> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  const parts = new Map<string, { filename?: string; text: string }>();
  if (!boundary) return parts;
  const marker = `--${boundary[1] ?? boundary[2]}`;
  for (const chunk of raw.toString('utf8').split(marker)) {
    const split = chunk.indexOf('\r\n\r\n');
    if (split === -1) continue;
    const head = chunk.slice(0, split);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (!name) continue;
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    const text = chunk.slice(split + 4).replace(/\r\n$/, '');
    parts.set(name, { ...(filename !== undefined ? { filename } : {}), text });
  }
  return parts;
}

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function fileObject(id: string, file: { name: string; text: string; createdAt: number }) {
  return {
    id,
    object: 'file',
    bytes: Buffer.byteLength(file.text),
    created_at: Math.floor(file.createdAt / 1000),
    filename: file.name,
    purpose: 'batch',
    status: 'processed',
    status_details: null,
  };
}

type OpenAIBatchMeta = {
  endpoint: string;
  inputFileId: string;
  metadata: unknown;
  outputFileId?: string;
  errorFileId?: string;
};
const meta = new WeakMap<FakeBatchRecord, OpenAIBatchMeta>();

const seconds = (ms: number | undefined) => (ms === undefined ? null : Math.floor(ms / 1000));

/** Writes the output and error files of an ended batch, once. */
function writeResultFiles(host: RouteHost, batch: FakeBatchRecord, m: OpenAIBatchMeta): void {
  if (!batch.outcome || m.outputFileId !== undefined || m.errorFileId !== undefined) return;
  const ok: string[] = [];
  const failed: string[] = [];
  for (const r of batch.results ?? []) {
    const id = fakeId('batch_req_');
    if ('ended' in r) {
      // Cancelled requests are simply absent; expired ones are listed in the error file.
      if (r.ended === 'expired') {
        failed.push(
          JSON.stringify({
            id,
            custom_id: r.customId,
            response: null,
            error: {
              code: 'batch_expired',
              message: 'This request could not be executed before the completion window expired.',
            },
          }),
        );
      }
      continue;
    }
    const line = JSON.stringify({
      id,
      custom_id: r.customId,
      response: { status_code: r.status, request_id: fakeId('req_'), body: r.body },
      error: null,
    });
    (r.status === 200 ? ok : failed).push(line);
  }
  const store = (lines: string[], kind: string) => {
    if (lines.length === 0) return undefined;
    const id = fakeId('file-');
    host.files.set(id, {
      name: `${batch.id}_${kind}.jsonl`,
      text: `${lines.join('\n')}\n`,
      createdAt: Date.now(),
    });
    return id;
  };
  const out = store(ok, 'output');
  const err = store(failed, 'error');
  m.outputFileId = out ?? '';
  m.errorFileId = err ?? '';
}

function batchObject(batch: FakeBatchRecord, m: OpenAIBatchMeta) {
  const counts = countResults(batch);
  const status =
    batch.outcome === undefined
      ? batch.cancelledAt !== undefined
        ? 'cancelling'
        : 'in_progress'
      : batch.outcome;
  const total = batch.items.length;
  return {
    id: batch.id,
    object: 'batch',
    endpoint: m.endpoint,
    errors: batch.failure
      ? {
          object: 'list',
          data: [{ code: 'invalid_request', message: batch.failure, param: null, line: null }],
        }
      : null,
    input_file_id: m.inputFileId,
    completion_window: '24h',
    status,
    output_file_id: m.outputFileId || null,
    error_file_id: m.errorFileId || null,
    created_at: seconds(batch.createdAt),
    in_progress_at: seconds(batch.createdAt),
    expires_at: seconds(batch.createdAt + 24 * 3600_000),
    finalizing_at: null,
    completed_at: batch.outcome === 'completed' ? seconds(batch.endedAt) : null,
    failed_at: batch.outcome === 'failed' ? seconds(batch.endedAt) : null,
    expired_at: batch.outcome === 'expired' ? seconds(batch.endedAt) : null,
    cancelling_at: seconds(batch.cancelledAt),
    cancelled_at: batch.outcome === 'cancelled' ? seconds(batch.endedAt) : null,
    request_counts: {
      total,
      completed: counts.succeeded,
      failed: counts.errored + counts.expired,
    },
    metadata: m.metadata ?? null,
  };
}

/** Checks and registers a batch over an uploaded JSONL file. */
function create(host: RouteHost, body: Record<string, unknown>, res: ServerResponse) {
  const error = (status: number, message: string) =>
    sendJson(res, status, host.errorBody(status, message));
  const inputFileId = body.input_file_id;
  const file = typeof inputFileId === 'string' ? host.files.get(inputFileId) : undefined;
  if (!file) return error(400, `input_file_id: no file with id ${String(inputFileId)}`);
  const endpoint = String(body.endpoint ?? '');
  const target = canonical(endpoint);
  if (!['/v1/chat/completions', '/v1/completions'].includes(target))
    return error(400, `endpoint: unsupported ${endpoint}`);
  if (body.completion_window !== '24h') return error(400, 'completion_window must be 24h');

  const items: FakeBatchRecord['items'] = [];
  let problem: string | undefined;
  const ids = new Set<string>();
  const models = new Set<string>();
  for (const [n, line] of file.text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let parsed: { custom_id?: unknown; method?: unknown; url?: unknown; body?: unknown };
    try {
      parsed = JSON.parse(line);
    } catch {
      problem ??= `line ${n + 1} is not JSON`;
      continue;
    }
    const id = parsed.custom_id;
    if (typeof id !== 'string' || id === '') problem ??= `line ${n + 1}: custom_id is required`;
    else if (ids.has(id)) problem ??= `line ${n + 1}: duplicate custom_id ${id}`;
    if (parsed.method !== 'POST') problem ??= `line ${n + 1}: method must be POST`;
    if (canonical(String(parsed.url)) !== target)
      problem ??= `line ${n + 1}: url ${String(parsed.url)} does not match the batch endpoint ${endpoint}`;
    const model = (parsed.body as { model?: unknown } | undefined)?.model;
    models.add(String(model));
    ids.add(String(id));
    items.push({ customId: String(id), path: target, body: parsed.body });
  }
  const limit = host.options.batch?.maxRequests ?? OPENAI_BATCH_LIMITS.maxRequests;
  if (items.length > limit)
    problem ??= `the file has ${items.length} requests; the limit is ${limit}`;
  if (items.length === 0) problem ??= 'the file has no requests';
  if (models.size > 1) problem ??= 'all requests of a batch must use the same model';
  const batch = createBatch(host, 'openai', fakeId('batch_'), items);
  meta.set(batch, { endpoint, inputFileId: String(inputFileId), metadata: body.metadata });
  if (problem) failBatch(batch, problem);
  sendJson(res, 200, batchObject(batch, meta.get(batch)!));
}

/** The batch at `id` brought up to date, or a 404 sent. */
async function current(host: RouteHost, id: string, res: ServerResponse) {
  const batch = findBatch(host, id);
  const m = batch && meta.get(batch);
  if (!batch || !m) {
    sendJson(res, 404, host.errorBody(404, `No batch found with id '${id}'.`));
    return undefined;
  }
  await settle(host, batch);
  writeResultFiles(host, batch, m);
  return { batch, m };
}

/**
 * OpenAI's Files API (upload with purpose `batch`, download content) and Batch API (create,
 * retrieve, list, cancel), also under Azure's `/openai/…` paths.
 */
export const openaiBatchRoute: Route = (req, res, rawPath, host) => {
  const path = normalize(rawPath);
  const run = (work: () => Promise<void>) => {
    work().catch((error) => {
      if (!res.headersSent) sendJson(res, 500, host.errorBody(500, String(error)));
    });
    return true;
  };
  if (req.method === 'POST' && path === '/v1/files') {
    return run(async () => {
      const raw = await readRaw(req);
      const parts = parseMultipart(raw, req.headers['content-type']);
      const file = parts.get('file');
      if (!file) return sendJson(res, 400, host.errorBody(400, "'file' is required"));
      if (parts.get('purpose')?.text !== 'batch')
        return sendJson(res, 400, host.errorBody(400, "purpose must be 'batch'"));
      const maxBytes = host.options.batch?.maxBytes ?? OPENAI_BATCH_LIMITS.maxBytes;
      if (Buffer.byteLength(file.text) > maxBytes)
        return sendJson(
          res,
          413,
          host.errorBody(413, `file too large: the limit is ${maxBytes} bytes`),
        );
      const id = fakeId('file-');
      const stored = {
        name: file.filename ?? 'input.jsonl',
        text: file.text,
        createdAt: Date.now(),
      };
      host.files.set(id, stored);
      sendJson(res, 200, fileObject(id, stored));
    });
  }
  const content = /^\/v1\/files\/([^/]+)\/content$/.exec(path);
  if (req.method === 'GET' && content) {
    const file = host.files.get(content[1]!);
    if (!file) sendJson(res, 404, host.errorBody(404, `No such File object: ${content[1]}`));
    else {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(file.text);
    }
    return true;
  }
  if (req.method === 'POST' && path === '/v1/batches') {
    return run(async () => {
      const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
      create(host, body, res);
    });
  }
  if (req.method === 'GET' && path === '/v1/batches') {
    return run(async () => {
      const data = [];
      for (const batch of [...host.batches].reverse()) {
        const m = meta.get(batch);
        if (!m) continue;
        await settle(host, batch);
        writeResultFiles(host, batch, m);
        data.push(batchObject(batch, m));
      }
      sendJson(res, 200, {
        object: 'list',
        data,
        first_id: data[0]?.id ?? null,
        last_id: data.at(-1)?.id ?? null,
        has_more: false,
      });
    });
  }
  const one = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
  if (one && (req.method === 'GET' || (req.method === 'POST' && one[2]))) {
    return run(async () => {
      if (req.method === 'POST') {
        await readBody(req);
        const batch = findBatch(host, one[1]!);
        if (batch && !batch.outcome) batch.cancelledAt ??= Date.now();
      }
      const found = await current(host, one[1]!, res);
      if (found) sendJson(res, 200, batchObject(found.batch, found.m));
    });
  }
  return false;
};
