import type { ServerResponse } from 'node:http';
import { ollamaEmbed } from './embeddings.js';
import {
  HttpError,
  type LmEndpoint,
  type LmReply,
  type ParsedLmRequest,
  type Protocol,
  sendJson,
  startFakeServer,
} from './server.js';
import type { FakeLmServer, FakeServerOptions } from './types.js';

const FAKE_OLLAMA_VERSION = '0.12.0';

function parseCommon(body: Record<string, unknown>, prompt: string): ParsedLmRequest {
  if (typeof body.model !== 'string' || body.model === '')
    throw new HttpError(400, 'model is required');
  const options = (body.options ?? {}) as Record<string, unknown>;
  const stop =
    options.stop === undefined || options.stop === null
      ? []
      : Array.isArray(options.stop)
        ? options.stop.map(String)
        : [String(options.stop)];
  // Ollama treats a negative num_predict as "no limit".
  const numPredict =
    typeof options.num_predict === 'number' && options.num_predict >= 0
      ? options.num_predict
      : undefined;
  const { format } = body;
  const schema =
    typeof format === 'object' && format !== null ? (format as Record<string, unknown>) : undefined;
  if (format !== undefined && format !== '' && format !== 'json' && !schema) {
    throw new HttpError(400, `invalid format: ${JSON.stringify(format)}`);
  }
  return {
    prompts: [prompt],
    n: 1,
    stop,
    json: format === 'json' || schema !== undefined,
    ...(schema ? { schema } : {}),
    ...(numPredict !== undefined ? { maxTokens: numPredict } : {}),
  };
}

function timings(reply: LmReply) {
  const choice = reply.choices[0];
  return {
    done: true,
    done_reason: choice?.finishReason ?? 'stop',
    total_duration: 1_000_000 * (1 + reply.promptTokens + (choice?.tokens ?? 0)),
    load_duration: 100_000,
    prompt_eval_count: reply.promptTokens,
    prompt_eval_duration: 1_000_000 * reply.promptTokens,
    eval_count: choice?.tokens ?? 0,
    eval_duration: 1_000_000 * (choice?.tokens ?? 0),
  };
}

/** Answers with one JSON document, or with NDJSON chunks when `stream` is not false (Ollama's default). */
function send(
  res: ServerResponse,
  reply: LmReply,
  piece: (text: string) => Record<string, unknown>,
): void {
  const head = { model: reply.body.model, created_at: new Date().toISOString() };
  const text = reply.choices[0]?.text ?? '';
  if (reply.body.stream === false) {
    sendJson(res, 200, { ...head, ...piece(text), ...timings(reply) });
    return;
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for (const chunk of text.match(/\s*\S+/g) ?? []) {
    res.write(`${JSON.stringify({ ...head, ...piece(chunk), done: false })}\n`);
  }
  res.end(`${JSON.stringify({ ...head, ...piece(''), ...timings(reply) })}\n`);
}

const chat: LmEndpoint = {
  parse(body) {
    if (!Array.isArray(body.messages)) throw new HttpError(400, 'messages must be an array');
    const prompt = (body.messages as Array<{ content?: unknown }>)
      .map((m) => (typeof m?.content === 'string' ? m.content : ''))
      .join('\n');
    return parseCommon(body, prompt);
  },
  send: (res, reply) =>
    send(res, reply, (content) => ({ message: { role: 'assistant', content } })),
};

const generate: LmEndpoint = {
  parse(body) {
    if (body.prompt !== undefined && typeof body.prompt !== 'string')
      throw new HttpError(400, 'prompt must be a string');
    const system = typeof body.system === 'string' ? `${body.system}\n` : '';
    return parseCommon(body, system + String(body.prompt ?? ''));
  },
  send: (res, reply) => send(res, reply, (response) => ({ response })),
};

const ollamaProtocol: Protocol = {
  baseURL: (url) => url,
  lm: { '/api/chat': chat, '/api/generate': generate, '/api/embed': ollamaEmbed },
  get: {
    '/api/tags': (models) => ({
      models: models.map((name) => ({
        name,
        model: name,
        modified_at: '2025-01-01T00:00:00Z',
        size: 1_000_000,
        digest: '0'.repeat(64),
        details: {
          format: 'gguf',
          family: 'fake',
          families: ['fake'],
          parameter_size: '1B',
          quantization_level: 'Q4_0',
        },
      })),
    }),
    '/api/version': () => ({ version: FAKE_OLLAMA_VERSION }),
  },
  errorBody: (_status, message) => ({ error: message }),
};

/**
 * Starts a fake Ollama server on 127.0.0.1: `POST /api/chat` and `POST /api/generate` (a single
 * JSON answer with `stream: false`, NDJSON chunks otherwise), `format` (`"json"` or a JSON
 * Schema), `options` (`num_predict`, `stop`, …), `GET /api/tags` and `GET /api/version`. Usage is
 * reported in `prompt_eval_count` / `eval_count`. Point the `ollama` SDK at `server.baseURL`.
 *
 * @example
 * const server = await startFakeOllama();
 * const client = new Ollama({ host: server.baseURL });
 * await client.chat({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
 * await server.close();
 */
export function startFakeOllama(options?: FakeServerOptions): Promise<FakeLmServer> {
  return startFakeServer(ollamaProtocol, options);
}
