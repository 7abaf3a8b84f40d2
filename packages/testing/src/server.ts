import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lexicalEmbedding } from '@dgt/core';
import { chatStyled } from './chat-style.js';
import {
  canonicalJson,
  countTokens,
  defaultReply,
  defaultToolCall,
  forcedTool,
  type ShapedReply,
  shapeChoice,
} from './default-reply.js';
import { SlidingWindowLimiter } from './rate-limiter.js';
import type {
  FakeBatchRecord,
  FakeFault,
  FakeLmServer,
  FakeReply,
  FakeRequest,
  FakeServerOptions,
  FakeServerStats,
} from './types.js';

/** A malformed request: answered with `status` in the protocol's error shape. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What a protocol reads from an LM request body. */
export type ParsedLmRequest = {
  /** One prompt for chat; one or more for (batched) completions. */
  prompts: string[];
  n: number;
  schema?: Record<string, unknown>;
  json: boolean;
  stop: string[];
  maxTokens?: number;
  /** Tools offered to the model (name and JSON Schema of the arguments). */
  tools?: FakeTool[];
  /** `required` or a tool name forces a tool call; `auto` (default) and `none` reply with text. */
  toolChoice?: 'auto' | 'none' | 'required' | { name: string };
  /** How many alternatives per token to report when log-probabilities were asked (0: just the token's). */
  logprobs?: number;
};

/** A tool a request offered. */
export type FakeTool = { name: string; parameters: Record<string, unknown> };

/** The generated replies of one request, ready to be written in the protocol's format. */
export type LmReply = {
  body: Record<string, unknown>;
  parsed: ParsedLmRequest;
  choices: ShapedReply[];
  promptTokens: number;
  req: FakeRequest;
  /** The vectors of an embeddings endpoint, one per prompt. */
  vectors?: number[][];
};

/** One generation (or embeddings) endpoint of a protocol. */
export type LmEndpoint = {
  /** An embeddings endpoint: its reply is one vector per prompt (`LmReply.vectors`), not text. */
  embeddings?: boolean;
  /** Validates the body and extracts what generation needs; throws {@link HttpError}. */
  parse(body: Record<string, unknown>): ParsedLmRequest;
  /** Writes the response (a JSON document, or a stream). */
  send(res: ServerResponse, reply: LmReply): Promise<void> | void;
  /** The response as a JSON document, for the answers a batch collects. */
  render?(reply: LmReply): unknown;
};

/** An endpoint whose answers batches can collect. */
export type RenderingEndpoint = LmEndpoint & { render(reply: LmReply): unknown };

/** What the server offers a protocol's extra routes (batch endpoints). */
export type RouteHost = {
  /** Root URL of the server. */
  readonly url: string;
  readonly options: FakeServerOptions;
  /** The batches created so far, in creation order. */
  readonly batches: FakeBatchRecord[];
  /** Uploaded files (OpenAI Files API), by id. */
  readonly files: Map<string, { name: string; text: string; createdAt: number }>;
  /**
   * Answers one request of a batch as the online endpoint at `path` would (same replies, same
   * shapes), without counting it as an online request.
   */
  answer(path: string, body: unknown): Promise<{ status: number; body: unknown }>;
  errorBody(status: number, message: string): unknown;
};

/** An extra route: returns false when the request is not its to answer. */
export type Route = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  host: RouteHost,
) => boolean;

/** A wire format: its generation endpoints, read-only endpoints and error shape. */
export type Protocol = {
  baseURL(url: string): string;
  /** Maps a request path onto one of `lm`'s (e.g. Azure's deployment paths); identity by default. */
  route?(path: string): string;
  /** Other POST endpoints (e.g. a token service), by path: raw body in, status and JSON out. */
  post?: Record<string, (body: string) => { status: number; body: unknown }>;
  /** Checks a generation request's credentials; returns an error message to answer 401 with. */
  authorize?(req: IncomingMessage): string | undefined;
  /** POST endpoints that generate, by path. */
  lm: Record<string, LmEndpoint>;
  /** GET endpoints, by path, returning a JSON document. */
  get: Record<string, (models: string[]) => unknown>;
  /** Routes with path parameters (batch APIs), tried before the fixed ones. */
  routes?: Route[];
  /** The error document; `retryAfterSeconds` is given when the protocol tells waits in its body. */
  errorBody(status: number, message: string, retryAfterSeconds?: number): unknown;
  /**
   * Waits of 429s and injected faults go in the error body (Google's `RetryInfo`) instead of
   * `Retry-After` headers.
   */
  retryAfterInBody?: boolean;
};

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Resolves after `ms`, or early when `signal` aborts (the client went away). */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** Starts a fake LM server speaking `protocol` on 127.0.0.1. */
export async function startFakeServer(
  protocol: Protocol,
  options: FakeServerOptions = {},
): Promise<FakeLmServer> {
  const stats: FakeServerStats = {
    requests: 0,
    completed: 0,
    rejected: 0,
    inFlight: 0,
    maxInFlight: 0,
  };
  const requests: FakeRequest[] = [];
  let bodyCounts = new Map<string, number>();
  const limiter = options.rateLimit
    ? new SlidingWindowLimiter(options.rateLimit.requestsPerSecond)
    : undefined;
  const models = options.models ?? ['fake-model'];
  let url = '';

  const faultFor = (req: FakeRequest): FakeFault | undefined => {
    const { faults } = options;
    if (typeof faults === 'function') return faults(req, req.index);
    let start = 0;
    for (const fault of faults ?? []) {
      const times = fault.times ?? 1;
      if (req.index < start + times) return fault;
      start += times;
    }
    return undefined;
  };

  const sendError = (
    res: ServerResponse,
    status: number,
    message: string,
    headers: Record<string, string> = {},
  ) => sendJson(res, status, protocol.errorBody(status, message), headers);

  const sendFault = (res: ServerResponse, fault: FakeFault) => {
    const headers: Record<string, string> = {};
    if (fault.retryAfterSeconds !== undefined && !protocol.retryAfterInBody) {
      headers['retry-after'] = String(fault.retryAfterSeconds);
      headers['retry-after-ms'] = String(Math.round(fault.retryAfterSeconds * 1000));
    }
    if (fault.body === undefined) {
      const message = `injected fault (HTTP ${fault.status})`;
      sendJson(
        res,
        fault.status,
        protocol.errorBody(fault.status, message, fault.retryAfterSeconds),
        headers,
      );
      return;
    }
    let json = true;
    try {
      JSON.parse(fault.body);
    } catch {
      json = false;
    }
    res.writeHead(fault.status, {
      'content-type': json ? 'application/json' : 'text/plain',
      ...headers,
    });
    res.end(fault.body);
  };

  /** The replies to one parsed request, shaped as the server sends them. */
  async function generate(
    body: Record<string, unknown>,
    parsed: ParsedLmRequest,
    req: FakeRequest,
  ): Promise<LmReply> {
    const reply = options.reply ?? defaultReply;
    const choices: ShapedReply[] = [];
    for (const [p, prompt] of parsed.prompts.entries()) {
      for (let i = 0; i < parsed.n; i++) {
        const one = { ...req, prompt, choice: p * parsed.n + i };
        const forced = forcedTool(parsed);
        let out = forced ? { toolCalls: [defaultToolCall(one, forced)] } : await reply(one);
        if (options.replyStyle === 'chat') out = dressed(out, one.index + one.choice);
        choices.push(shapeChoice(out, parsed, one));
      }
    }
    const promptTokens = parsed.prompts.reduce((sum, p) => sum + countTokens(p), 0);
    return { body, parsed, choices, promptTokens, req };
  }

  /** A request as the log records it; `online` ones are counted in the stats. */
  function receive(
    path: string,
    body: Record<string, unknown>,
    parsed: ParsedLmRequest,
    authorization?: string,
  ) {
    const key = canonicalJson(body);
    const sameBodyCount = bodyCounts.get(key) ?? 0;
    bodyCounts.set(key, sameBodyCount + 1);
    return {
      path,
      body,
      prompt: parsed.prompts.join('\n'),
      ...(parsed.schema ? { schema: parsed.schema } : {}),
      json: parsed.json,
      index: stats.requests + batchedRequests,
      sameBodyCount,
      choice: 0,
      ...(authorization ? { authorization } : {}),
    } satisfies FakeRequest;
  }

  const batches: FakeBatchRecord[] = [];
  let batchedRequests = 0;
  const host: RouteHost = {
    get url() {
      return url;
    },
    options,
    batches,
    files: new Map(),
    async answer(path, raw) {
      const endpoint = protocol.lm[protocol.route?.(path) ?? path];
      if (!endpoint?.render) {
        return { status: 404, body: protocol.errorBody(404, `no batchable route for ${path}`) };
      }
      const render = endpoint.render;
      try {
        if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
          throw new HttpError(400, 'request body must be a JSON object');
        }
        const body = raw as Record<string, unknown>;
        const parsed = endpoint.parse(body);
        const req = receive(path, body, parsed);
        batchedRequests++;
        return { status: 200, body: render(await generate(body, parsed, req)) };
      } catch (error) {
        const status = error instanceof HttpError ? error.status : 400;
        const message = error instanceof Error ? error.message : String(error);
        return { status, body: protocol.errorBody(status, message) };
      }
    },
    errorBody: (status, message) => protocol.errorBody(status, message),
  };

  async function handleLm(
    endpoint: LmEndpoint,
    path: string,
    httpReq: IncomingMessage,
    res: ServerResponse,
  ) {
    let body: Record<string, unknown>;
    let parsed: ParsedLmRequest;
    try {
      const raw = JSON.parse(await readBody(httpReq)) as unknown;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new HttpError(400, 'request body must be a JSON object');
      }
      body = raw as Record<string, unknown>;
      parsed = endpoint.parse(body);
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 400;
      sendError(res, status, error instanceof Error ? error.message : String(error));
      return;
    }

    const req: FakeRequest = receive(path, body, parsed, httpReq.headers.authorization);
    stats.requests++;
    stats.firstRequestMs ??= performance.now();
    requests.push(req);

    const fault = faultFor(req);
    if (fault) {
      stats.rejected++;
      sendFault(res, fault);
      return;
    }
    const waitMs = limiter?.tryAcquire() ?? 0;
    if (waitMs > 0) {
      stats.rejected++;
      const seconds = options.rateLimit?.retryAfterSeconds;
      const message = 'rate limit exceeded, retry later';
      if (protocol.retryAfterInBody) {
        sendJson(res, 429, protocol.errorBody(429, message, seconds ?? waitMs / 1000));
        return;
      }
      sendError(res, 429, message, {
        'retry-after': seconds !== undefined ? String(seconds) : String(Math.ceil(waitMs / 1000)),
        'retry-after-ms': String(seconds !== undefined ? Math.round(seconds * 1000) : waitMs),
      });
      return;
    }

    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    try {
      const latency =
        typeof options.latencyMs === 'function' ? options.latencyMs(req) : (options.latencyMs ?? 0);
      await delay(latency, gone.signal);
      if (endpoint.embeddings) {
        const vectors = parsed.prompts.map((text) => (options.embed ?? lexicalEmbedding)(text));
        const promptTokens = parsed.prompts.reduce((sum, p) => sum + countTokens(p), 0);
        if (gone.signal.aborted) return;
        await endpoint.send(res, { body, parsed, choices: [], promptTokens, req, vectors });
        stats.completed++;
        stats.lastReplyMs = performance.now();
        return;
      }
      const reply = await generate(body, parsed, req);
      if (gone.signal.aborted) return;
      await endpoint.send(res, reply);
      stats.completed++;
      stats.lastReplyMs = performance.now();
    } catch (error) {
      if (!res.headersSent) sendError(res, 500, `fake server reply failed: ${String(error)}`);
    } finally {
      stats.inFlight--;
    }
  }

  const server = createServer((httpReq, res) => {
    const path = new URL(httpReq.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
    for (const route of protocol.routes ?? []) {
      if (route(httpReq, res, path, host)) return;
    }
    const lm = protocol.lm[protocol.route?.(path) ?? path];
    if (httpReq.method === 'POST' && lm) {
      const denied = protocol.authorize?.(httpReq);
      if (denied) {
        httpReq.resume();
        sendError(res, 401, denied);
        return;
      }
      void handleLm(lm, path, httpReq, res);
      return;
    }
    const post = protocol.post?.[path];
    if (httpReq.method === 'POST' && post) {
      void readBody(httpReq).then((raw) => {
        const answer = post(raw);
        sendJson(res, answer.status, answer.body);
      });
      return;
    }
    const get = protocol.get[path];
    if ((httpReq.method === 'GET' || httpReq.method === 'HEAD') && get) {
      sendJson(res, 200, get(models));
      return;
    }
    httpReq.resume();
    const known = lm !== undefined || get !== undefined;
    sendError(
      res,
      known ? 405 : 404,
      known ? `method ${httpReq.method} not allowed` : `no route for ${path}`,
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}`;

  return {
    url,
    baseURL: protocol.baseURL(url),
    stats,
    requests,
    batches,
    finishBatches() {
      for (const batch of batches) batch.releasedAt ??= Date.now();
    },
    reset() {
      Object.assign(stats, { requests: 0, completed: 0, rejected: 0, maxInFlight: stats.inFlight });
      delete stats.firstRequestMs;
      delete stats.lastReplyMs;
      requests.length = 0;
      bodyCounts = new Map();
      limiter?.reset();
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/** A reply in chat dress (see `chatStyled`); tool calls are left as they are. */
function dressed(out: string | FakeReply, index: number): string | FakeReply {
  if (typeof out === 'string') return chatStyled(out, index);
  return out.text === undefined ? out : { ...out, text: chatStyled(out.text, index) };
}
