import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { BufferedResponse } from './buffered-response.js';

/** A `fetch` with its own keep-alive connection pool; `close()` ends the pooled connections. */
export type LeanFetch = typeof fetch & { close(): void };

/**
 * Bodies up to this size whose length the server declares are read in full before the response
 * is handed back (one Buffer, no web stream); longer or unsized ones stream.
 */
const BUFFERED_LIMIT = 8 * 1024 * 1024;
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * A `fetch` for the LM request path, over `node:http`/`node:https` with a keep-alive agent.
 *
 * Node's built-in `fetch` (undici) turns every request body into a web stream, writes it apart
 * from the headers and builds web streams for every reply: through the openai SDK it cost ~0.85
 * ms of CPU a request against ~0.44 ms with this one (bench/lm/NOTES.md), and at a few hundred
 * requests a second that CPU is what delays replies. This one sends headers and a string body in
 * one write and, when the server declares a reply's length (every non-streaming JSON reply),
 * reads it into one Buffer before resolving, as a `BufferedResponse`; unsized replies
 * (server-sent events) resolve at the headers and stream as with `fetch`.
 *
 * It is `fetch` for what an SDK sends to an LM server: string or byte bodies, any method and
 * headers, `signal` (aborts reject with the signal's reason, also while a streamed body is being
 * read), gzip/deflate/br replies. Anything else — a `Request` object, form data, stream or blob
 * bodies, a non-http(s) URL, and redirects — goes to `fallback` (the global `fetch`) unchanged,
 * so nothing is served worse than by `fetch` itself. Connection errors reject with a
 * `TypeError('fetch failed')` whose `cause` is the socket error, as undici's do.
 */
export function createLeanFetch(fallback: typeof fetch = globalThis.fetch): LeanFetch {
  // LIFO reuse keeps the hottest sockets; the engine's max_concurrency bounds how many there are.
  // An idle socket is closed after a minute, or a second before the server's `Keep-Alive:
  // timeout=N` (Node honours the hint only when a timeout is set), so a request is rarely sent on
  // a connection the server is closing. On a busy socket the timeout does nothing.
  const options = {
    keepAlive: true,
    scheduling: 'lifo',
    maxFreeSockets: Infinity,
    timeout: 60_000,
  };
  const agents = {
    'http:': new http.Agent(options as http.AgentOptions),
    'https:': new https.Agent(options as https.AgentOptions),
  };
  const leanFetch = ((input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
    const body = init?.body;
    if (
      url === undefined ||
      !(url.startsWith('http:') || url.startsWith('https:')) ||
      !(body === undefined || body === null || typeof body === 'string' || isBytes(body))
    ) {
      return fallback(input, init);
    }
    return send(url, init ?? {}, body ?? undefined);
  }) as LeanFetch;
  leanFetch.close = () => {
    agents['http:'].destroy();
    agents['https:'].destroy();
  };
  return leanFetch;

  function send(
    url: string,
    init: RequestInit,
    body: string | ArrayBuffer | ArrayBufferView | undefined,
  ): Promise<Response> {
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = plainHeaders(init.headers);
    const payload =
      typeof body === 'string'
        ? body
        : body === undefined
          ? undefined
          : body instanceof ArrayBuffer
            ? Buffer.from(body)
            : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (payload !== undefined) {
      headers['content-length'] = String(Buffer.byteLength(payload));
      if (typeof payload === 'string' && headers['content-type'] === undefined) {
        headers['content-type'] = 'text/plain;charset=UTF-8';
      }
    } else if (method === 'POST' || method === 'PUT') {
      headers['content-length'] = '0';
    }
    headers.accept ??= '*/*';
    const isHttps = url.startsWith('https:');
    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      let source: Readable | undefined;
      const fail = (error: unknown) => {
        done();
        if (!settled) {
          settled = true;
          reject(error);
        }
      };
      const onAbort = () => {
        const reason = abortReason(signal as AbortSignal);
        fail(reason);
        // After the response was handed back, a streamed body errors with the reason instead.
        if (source) source.destroy(reason as Error);
        request.destroy();
      };
      const done = () => signal?.removeEventListener('abort', onAbort);
      const request = (isHttps ? https : http).request(
        url,
        { method, headers, agent: agents[isHttps ? 'https:' : 'http:'] },
        (res) => {
          try {
            receive(res);
          } catch (error) {
            // E.g. a status `Response` refuses (outside 200–599): fail as fetch does.
            res.destroy();
            fail(new TypeError('fetch failed', { cause: error }));
          }
        },
      );
      function receive(res: http.IncomingMessage): void {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (REDIRECT_STATUSES.has(status) && location && init.redirect !== 'manual') {
          // Redirects (rare for an LM API) get fetch's own handling: the body is a string or
          // bytes, so sending it again is safe, and the server did not act on this one.
          res.resume();
          done();
          settled = true;
          resolve(fallback(url, init));
          return;
        }
        const replyHeaders = new Headers();
        const raw = res.rawHeaders;
        for (let i = 0; i < raw.length; i += 2)
          replyHeaders.append(raw[i] as string, raw[i + 1] as string);
        const reply = { status, statusText: res.statusMessage ?? '', headers: replyHeaders };
        if (NULL_BODY_STATUSES.has(status) || method === 'HEAD') {
          const response = new Response(null, reply);
          res.resume();
          done();
          settled = true;
          resolve(withUrl(response, url));
          return;
        }
        source = decoded(res, res.headers['content-encoding']);
        const length = Number(res.headers['content-length']);
        if (source === res && Number.isFinite(length) && length <= BUFFERED_LIMIT) {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            done();
            if (settled) return;
            settled = true;
            const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
            const { statusText, headers } = reply;
            const body = bytes?.length ? bytes : null;
            resolve(
              new BufferedResponse(body, status, statusText, headers, url) as unknown as Response,
            );
          });
          res.on('error', (error) => fail(terminated(error)));
          res.on('aborted', () => fail(terminated()));
          return;
        }
        const stream = source;
        stream.on('end', done);
        stream.on('close', done);
        stream.on('error', done);
        const response = new Response(Readable.toWeb(stream) as ReadableStream, reply);
        settled = true;
        resolve(withUrl(response, url));
      }
      request.on('error', (error) => fail(new TypeError('fetch failed', { cause: error })));
      signal?.addEventListener('abort', onAbort, { once: true });
      request.end(payload);
    });
  }
}

function isBytes(body: unknown): body is ArrayBuffer | ArrayBufferView {
  return body instanceof ArrayBuffer || ArrayBuffer.isView(body);
}

/** Request headers as one object with lower-case names (Node writes them as given). */
function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const add = (name: string, value: string) => {
    const key = name.toLowerCase();
    out[key] = out[key] === undefined ? value : `${out[key]}, ${value}`;
  };
  if (headers instanceof Headers || Array.isArray(headers)) {
    for (const [name, value] of headers) add(name, value);
  } else {
    for (const name of Object.keys(headers)) {
      const value = (headers as Record<string, string | undefined>)[name];
      if (value !== undefined) add(name, value);
    }
  }
  return out;
}

/** The reply body with its content encoding undone, as `fetch` does. */
function decoded(res: http.IncomingMessage, encoding: string | undefined): Readable {
  const coding = encoding?.trim().toLowerCase();
  const decoder =
    coding === 'gzip' || coding === 'x-gzip'
      ? zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH })
      : coding === 'deflate'
        ? zlib.createInflate({ flush: zlib.constants.Z_SYNC_FLUSH })
        : coding === 'br'
          ? zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH })
          : undefined;
  if (!decoder) return res;
  res.on('error', (error) => decoder.destroy(error));
  res.on('aborted', () => decoder.destroy(terminated()));
  return res.pipe(decoder);
}

function withUrl(response: Response, url: string): Response {
  Object.defineProperty(response, 'url', { value: url });
  return response;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** What `fetch` rejects with when the connection breaks while the body is being read. */
function terminated(cause?: unknown): TypeError {
  return new TypeError('terminated', cause === undefined ? {} : { cause });
}
