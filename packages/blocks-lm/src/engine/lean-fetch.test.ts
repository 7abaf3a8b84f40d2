import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { startFakeOpenAI } from '@dgt/testing';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import openaiBlock from '../openai.js';
import { callBlock, makeBlock } from '../test-utils.js';
import { createLeanFetch, type LeanFetch } from './lean-fetch.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const thing of open.splice(0)) await thing.close();
});

/** A plain HTTP server on 127.0.0.1 that counts the TCP connections it accepted. */
async function serve(handler: Handler) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => handler(req, res, body));
  });
  const stats = { connections: 0, closed: 0 };
  server.on('connection', (socket) => {
    stats.connections++;
    socket.on('close', () => stats.closed++);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  open.push({
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  });
  return { url, stats, server };
}

function lean(fallback?: typeof fetch): LeanFetch {
  const f = createLeanFetch(fallback);
  open.push({ close: () => f.close() });
  return f;
}

describe('createLeanFetch', () => {
  it('sends method, headers and body, and reads status, headers and a sized JSON reply', async () => {
    const seen: Array<{ method?: string; headers: http.IncomingHttpHeaders; body: string }> = [];
    const { url } = await serve((req, res, body) => {
      seen.push({ method: req.method, headers: req.headers, body });
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('x-request-id', 'req-7');
      res.writeHead(201, 'Made', { 'content-type': 'application/json' });
      res.end(JSON.stringify({ echo: body }));
    });
    const f = lean();
    const headers = new Headers({ 'X-One': '1', 'Content-Type': 'application/json' });
    headers.append('x-many', 'a');
    headers.append('x-many', 'b');
    const res = await f(`${url}/v1/things`, { method: 'post', headers, body: '{"é":1}' });
    expect(res.status).toBe(201);
    expect(res.statusText).toBe('Made');
    expect(res.ok).toBe(true);
    expect(res.url).toBe(`${url}/v1/things`);
    expect(res.headers.get('x-request-id')).toBe('req-7');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ echo: '{"Ã©":1}' });
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.headers).toMatchObject({
      'x-one': '1',
      'x-many': 'a, b',
      'content-type': 'application/json',
      // The length in bytes, not characters.
      'content-length': '8',
    });
    // Record and array forms of headers, and a byte body.
    await f(new URL(`${url}/x`), {
      method: 'PUT',
      headers: [['X-Two', '2']],
      body: new Uint8Array([0xff, 0x00, 0x41]),
    });
    await f(`${url}/y`, { headers: { 'x-three': '3' } });
    expect(seen[1]).toMatchObject({ method: 'PUT', body: '\xff\x00A', headers: { 'x-two': '2' } });
    expect(seen[2]).toMatchObject({ method: 'GET', body: '', headers: { 'x-three': '3' } });
  });

  it('keeps connections alive between requests, and close() ends them', async () => {
    const { url, stats } = await serve((_req, res) => res.end('ok'));
    const f = lean();
    for (let i = 0; i < 20; i++) expect(await (await f(url)).text()).toBe('ok');
    await Promise.all(Array.from({ length: 8 }, async () => (await f(url)).text()));
    expect(stats.connections).toBeLessThanOrEqual(8);
    f.close();
    await expect.poll(() => stats.closed).toBe(stats.connections);
  });

  it("closes an idle connection a second before the server's keep-alive timeout", async () => {
    const { url, stats, server } = await serve((_req, res) => res.end('ok'));
    // Node servers announce `Keep-Alive: timeout=2`; the client should let go after ~1 s.
    server.keepAliveTimeout = 2_000;
    const f = lean();
    await (await f(url)).text();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect([stats.connections, stats.closed]).toEqual([1, 1]);
  });

  it('gives 204 and HEAD replies no body', async () => {
    const { url } = await serve((req, res) => {
      res.writeHead(req.method === 'HEAD' ? 200 : 204, { 'content-length': '0' });
      res.end();
    });
    const f = lean();
    const none = await f(url, { method: 'DELETE' });
    expect([none.status, none.body]).toEqual([204, null]);
    const head = await f(url, { method: 'HEAD' });
    expect([head.status, head.body]).toEqual([200, null]);
  });

  it('undoes gzip content encoding', async () => {
    const text = JSON.stringify({ reply: 'x'.repeat(5000) });
    const { url } = await serve((_req, res) => {
      const zipped = gzipSync(text);
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': zipped.length });
      res.end(zipped);
    });
    expect(await (await lean()(url)).text()).toBe(text);
  });

  it('streams an unsized body: resolves at the headers, before the last chunk is sent', async () => {
    let finish: (() => void) | undefined;
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      finish = () => res.end('data: two\n\n');
    });
    const res = await lean()(url, { method: 'POST', body: '{}' });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: one\n\n');
    // The server has not finished the reply yet: the response was handed over while streaming.
    expect(finish).toBeTypeOf('function');
    finish?.();
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      rest += new TextDecoder().decode(r.value);
    }
    expect(rest).toBe('data: two\n\n');
  });

  it('streams server-sent events through the openai SDK (stream: true)', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (content: string) =>
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
      res.write(chunk('Hel'));
      setTimeout(() => res.end(`${chunk('lo')}data: [DONE]\n\n`), 20);
    });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'k', fetch: lean(), maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    for await (const part of stream) text += part.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello');
  });

  it('rejects with the abort reason: before sending, while waiting, and while a body streams', async () => {
    let streaming: http.ServerResponse | undefined;
    const { url } = await serve((req, res) => {
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: partial\n\n');
        streaming = res;
      }
      // Otherwise never answers: a hung server.
    });
    const f = lean();
    const early = new AbortController();
    early.abort();
    await expect(f(url, { signal: early.signal })).rejects.toMatchObject({ name: 'AbortError' });

    const waiting = new AbortController();
    const pending = f(url, { method: 'POST', body: 'x', signal: waiting.signal });
    setTimeout(() => waiting.abort(new Error('stop waiting')), 30);
    await expect(pending).rejects.toThrow('stop waiting');

    const reading = new AbortController();
    const res = await f(`${url}/stream`, { signal: reading.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    reading.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
    expect(streaming?.destroyed || streaming?.writableEnded === false).toBe(true);
  });

  it('rejects like fetch when the server is unreachable or drops a reply half-way', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('only part of it');
      setTimeout(() => res.destroy(), 10);
    });
    const f = lean();
    await expect(f(url)).rejects.toMatchObject({ name: 'TypeError', message: 'terminated' });
    // A port nothing listens on: take a free one and close it again.
    const gone = await serve(() => {});
    const port = new URL(gone.url).port;
    await open.pop()?.close();
    const error = await f(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
    expect((error as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
    // A status no Response can carry fails the request instead of throwing out of a callback.
    const odd = await serve((_req, res) => {
      res.writeHead(600);
      res.end('odd');
    });
    await expect(f(odd.url)).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed' });
  });

  it('hands redirects, form data and Request objects to the fallback fetch', async () => {
    const { url } = await serve((req, res, body) => {
      if (req.url === '/old') {
        res.writeHead(307, { location: '/new' });
        res.end();
        return;
      }
      res.end(`${req.url} ${req.headers['content-type']?.split(';')[0]} ${body.length}`);
    });
    const fellBack: string[] = [];
    const f = lean((input, init) => {
      fellBack.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    });
    // 307 keeps the method and body.
    expect(await (await f(`${url}/old`, { method: 'POST', body: 'abc' })).text()).toBe(
      '/new text/plain 3',
    );
    const form = new FormData();
    form.append('file', new Blob(['line\n']), 'batch.jsonl');
    expect(await (await f(`${url}/upload`, { method: 'POST', body: form })).text()).toMatch(
      /^\/upload multipart\/form-data \d+$/,
    );
    await (await f(new Request(`${url}/req`))).text();
    expect(fellBack).toEqual([`${url}/old`, `${url}/upload`, `${url}/req`]);
  });
});

describe('the openai SDK over createLeanFetch, against the fake OpenAI server', () => {
  it('completes, and reports 429 with Retry-After, server errors and timeouts as the SDK does', async () => {
    const server = await startFakeOpenAI({
      faults: [
        { status: 429, retryAfterSeconds: 3 },
        { status: 503, body: '{"error":{"message":"overloaded"}}' },
      ],
    });
    open.push(server);
    const client = new OpenAI({
      baseURL: server.baseURL,
      apiKey: 'sk-test',
      fetch: lean(),
      maxRetries: 0,
    });
    const ask = () =>
      client.chat.completions.create({
        model: 'fake-model',
        messages: [{ role: 'user', content: 'q' }],
      });
    const limited = await ask().catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('3');
    const failed = await ask().catch((e: unknown) => e);
    expect(failed).toMatchObject({ status: 503, message: expect.stringContaining('overloaded') });
    const reply = await ask();
    expect(reply.choices[0]?.message.content).toBeTypeOf('string');
    expect(server.requests.at(-1)?.authorization).toBe('Bearer sk-test');

    const slow = await startFakeOpenAI({ latencyMs: 2_000 });
    open.push(slow);
    const impatient = new OpenAI({
      baseURL: slow.baseURL,
      apiKey: 'k',
      fetch: lean(),
      maxRetries: 0,
      timeout: 50,
    });
    await expect(
      impatient.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'q' }] }),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    const refused = new OpenAI({
      baseURL: 'http://127.0.0.1:1/v1',
      apiKey: 'k',
      fetch: lean(),
      maxRetries: 0,
    });
    await expect(
      refused.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'q' }] }),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });
});

describe('openai blocks', () => {
  it('send through a pool of their own, whose connections end when the block closes', async () => {
    const { url, stats } = await serve((_req, res, body) => {
      const { messages } = JSON.parse(body) as { messages: Array<{ content: string }> };
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          id: 'c',
          object: 'chat.completion',
          created: 0,
          model: 'm',
          choices: [
            {
              index: 0,
              finish_reason: 'stop',
              message: { role: 'assistant', content: `echo ${messages[0]?.content}` },
            },
          ],
          usage: { prompt_tokens: 1, completion_tokens: 2 },
        }),
      );
    });
    const block = await makeBlock(openaiBlock, {
      type: 'openai',
      model_id_or_path: 'm',
      base_url: `${url}/v1`,
      max_concurrency: 4,
      cache: 'off',
    });
    const { rows } = await callBlock(
      block,
      Array.from({ length: 12 }, (_, i) => ({ input: `q${i}` })),
    );
    expect(rows.map((r) => r.result)).toEqual(Array.from({ length: 12 }, (_, i) => `echo q${i}`));
    // Kept alive: at most one connection per slot, not one per request.
    expect(stats.connections).toBeLessThanOrEqual(4);
    expect(stats.closed).toBe(0);
    await block.close?.();
    // Node's global fetch would keep its pooled connections open after the block is gone.
    await expect.poll(() => stats.closed).toBe(stats.connections);
  });
});
