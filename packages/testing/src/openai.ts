import { createHash } from 'node:crypto';
import type { ShapedReply } from './default-reply.js';
import { openaiEmbeddings } from './embeddings.js';
import { openaiBatchRoute } from './openai-batch.js';
import {
  type FakeTool,
  HttpError,
  type LmEndpoint,
  type ParsedLmRequest,
  type Protocol,
  type RenderingEndpoint,
  sendJson,
  startFakeServer,
} from './server.js';
import type { FakeLmServer, FakeServerOptions } from './types.js';

const ERROR_TYPES: Record<number, [type: string, code: string | null]> = {
  400: ['invalid_request_error', null],
  401: ['invalid_request_error', 'invalid_api_key'],
  403: ['permission_error', null],
  404: ['invalid_request_error', 'not_found'],
  429: ['requests', 'rate_limit_exceeded'],
};

function errorBody(status: number, message: string) {
  const [type, code] =
    ERROR_TYPES[status] ??
    (status >= 500 ? ['server_error', null] : ['invalid_request_error', null]);
  return { error: { message, type, param: null, code } };
}

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  // Content parts: keep the text ones.
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        typeof part === 'object' && part !== null && 'text' in part ? String(part.text) : '',
      )
      .join('');
  }
  return '';
}

function commonParams(body: Record<string, unknown>, prompts: string[]): ParsedLmRequest {
  if (typeof body.model !== 'string' || body.model === '')
    throw new HttpError(400, 'you must provide a model parameter');
  if (body.stream === true)
    throw new HttpError(400, 'stream: true is not supported by the fake OpenAI server');
  const n = body.n === undefined || body.n === null ? 1 : Number(body.n);
  if (!Number.isInteger(n) || n < 1 || n > 128)
    throw new HttpError(400, `invalid n: ${String(body.n)}`);
  const stop =
    body.stop === undefined || body.stop === null
      ? []
      : Array.isArray(body.stop)
        ? body.stop.map(String)
        : [String(body.stop)];
  const rawMax = body.max_completion_tokens ?? body.max_tokens;
  const maxTokens = rawMax === undefined || rawMax === null ? undefined : Number(rawMax);
  const format = body.response_format as
    | { type?: string; json_schema?: { schema?: unknown } }
    | undefined;
  let schema: Record<string, unknown> | undefined;
  if (format?.type === 'json_schema') {
    const s = format.json_schema?.schema;
    if (typeof s !== 'object' || s === null)
      throw new HttpError(400, 'response_format.json_schema.schema is required');
    schema = s as Record<string, unknown>;
  }
  const json = format?.type === 'json_schema' || format?.type === 'json_object';
  const tools = readTools(body.tools);
  const toolChoice = readToolChoice(body.tool_choice);
  // Chat asks with `logprobs: true` (+ `top_logprobs`); completions with `logprobs: <top count>`.
  const logprobs =
    body.logprobs === true
      ? Number(body.top_logprobs ?? 0)
      : typeof body.logprobs === 'number'
        ? body.logprobs
        : undefined;
  return {
    prompts,
    ...(tools ? { tools } : {}),
    ...(toolChoice ? { toolChoice } : {}),
    ...(logprobs !== undefined ? { logprobs } : {}),
    n,
    stop,
    json,
    ...(schema ? { schema } : {}),
    ...(maxTokens !== undefined ? { maxTokens } : {}),
  };
}

function readTools(raw: unknown): FakeTool[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw new HttpError(400, "'tools' must be an array");
  return raw.map((t, i) => {
    const fn = (t as { function?: { name?: unknown; parameters?: unknown } })?.function;
    if (typeof fn?.name !== 'string')
      throw new HttpError(400, `tools[${i}].function.name is required`);
    return {
      name: fn.name,
      parameters: (fn.parameters ?? { type: 'object', properties: {} }) as Record<string, unknown>,
    };
  });
}

function readToolChoice(raw: unknown): ParsedLmRequest['toolChoice'] {
  if (raw === 'auto' || raw === 'none' || raw === 'required') return raw;
  const name = (raw as { function?: { name?: unknown } } | undefined)?.function?.name;
  return typeof name === 'string' ? { name } : undefined;
}

function chatLogprobs(c: ShapedReply) {
  if (!c.logprobs) return null;
  return {
    content: c.logprobs.map((t) => ({
      token: t.token,
      logprob: t.logprob,
      bytes: [...Buffer.from(t.token)],
      top_logprobs: t.top_logprobs.map((a) => ({ ...a, bytes: [...Buffer.from(a.token)] })),
    })),
    refusal: null,
  };
}

function envelope(prefix: string, object: string, reply: Parameters<LmEndpoint['send']>[1]) {
  const hash = createHash('sha256')
    .update(`${reply.req.index}:${JSON.stringify(reply.body)}`)
    .digest('hex');
  const completionTokens = reply.choices.reduce((sum, c) => sum + c.tokens, 0);
  return {
    id: `${prefix}-${hash.slice(0, 24)}`,
    object,
    created: Math.floor(Date.now() / 1000),
    model: reply.body.model as string,
    system_fingerprint: 'fp_dgt_fake',
    usage: {
      prompt_tokens: reply.promptTokens,
      completion_tokens: completionTokens,
      total_tokens: reply.promptTokens + completionTokens,
    },
  };
}

const chatCompletions: RenderingEndpoint = {
  parse(body) {
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      throw new HttpError(400, "'messages' must be a non-empty array");
    }
    const prompt = (body.messages as Array<{ content?: unknown }>)
      .map((m) => messageText(m?.content))
      .join('\n');
    return commonParams(body, [prompt]);
  },
  send(res, reply) {
    sendJson(res, 200, chatCompletions.render(reply));
  },
  render(reply) {
    const { usage, ...head } = envelope('chatcmpl', 'chat.completion', reply);
    return {
      ...head,
      choices: reply.choices.map((c, index) => ({
        index,
        message: {
          role: 'assistant',
          content: c.toolCalls && c.text === '' ? null : c.text,
          refusal: null,
          annotations: [],
          ...(c.toolCalls
            ? {
                tool_calls: c.toolCalls.map((t) => ({
                  id: t.id,
                  type: 'function',
                  function: { name: t.name, arguments: JSON.stringify(t.arguments) },
                })),
              }
            : {}),
        },
        logprobs: chatLogprobs(c),
        finish_reason: c.finishReason,
      })),
      usage,
      service_tier: 'default',
    };
  },
};

const completions: RenderingEndpoint = {
  parse(body) {
    const { prompt } = body;
    const prompts =
      typeof prompt === 'string'
        ? [prompt]
        : Array.isArray(prompt) && prompt.every((p) => typeof p === 'string')
          ? (prompt as string[])
          : undefined;
    if (!prompts || prompts.length === 0)
      throw new HttpError(400, "'prompt' must be a string or an array of strings");
    return commonParams(body, prompts);
  },
  send(res, reply) {
    sendJson(res, 200, completions.render(reply));
  },
  render(reply) {
    const { usage, ...head } = envelope('cmpl', 'text_completion', reply);
    return {
      ...head,
      choices: reply.choices.map((c, index) => ({
        text: c.text,
        index,
        logprobs: c.logprobs
          ? {
              tokens: c.logprobs.map((t) => t.token),
              token_logprobs: c.logprobs.map((t) => t.logprob),
              top_logprobs: c.logprobs.map((t) =>
                Object.fromEntries(t.top_logprobs.map((a) => [a.token, a.logprob])),
              ),
              text_offset: c.logprobs.map((_, i) => i),
            }
          : null,
        finish_reason: c.finishReason,
      })),
      usage,
    };
  },
};

const openaiProtocol: Protocol = {
  baseURL: (url) => `${url}/v1`,
  // Azure OpenAI names the deployment in the path: /openai/deployments/<name>/chat/completions.
  route: (path) => path.replace(/^\/openai\/deployments\/[^/]+\//, '/v1/'),
  lm: {
    '/v1/chat/completions': chatCompletions,
    '/v1/completions': completions,
    '/v1/embeddings': openaiEmbeddings,
  },
  routes: [openaiBatchRoute],
  get: {
    '/v1/models': (models) => ({
      object: 'list',
      data: models.map((id) => ({
        id,
        object: 'model',
        created: 1_700_000_000,
        owned_by: 'dgt-testing',
      })),
    }),
  },
  errorBody,
};

/**
 * Starts a fake OpenAI-compatible server on 127.0.0.1: `POST /v1/chat/completions`,
 * `POST /v1/completions` and `GET /v1/models` with real response shapes (usage counted in words),
 * `n`, `stop`, `max_tokens`/`max_completion_tokens` and `response_format` (`json_schema`,
 * `json_object`), tools (`tool_calls`; a `tool_choice` of `required` or naming a function forces a
 * call with arguments filling its schema) and `logprobs`. It also answers Azure OpenAI's paths
 * (`/openai/deployments/<deployment>/chat/completions?api-version=…`): give `AzureOpenAI` the
 * server's `url` as its endpoint. Point the `openai` SDK at `server.baseURL`. The Files and Batch
 * APIs (`/v1/files`, `/v1/batches`, also under Azure's `/openai/…`) answer batches with the same
 * replies, after `batch.delayMs`, with the failures and expiry `batch` asks for; batched requests
 * are listed in `server.batches`, not counted in `stats`.
 *
 * @example
 * const server = await startFakeOpenAI({ latencyMs: 20 });
 * const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'test' });
 * await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
 * await server.close();
 */
export function startFakeOpenAI(options?: FakeServerOptions): Promise<FakeLmServer> {
  return startFakeServer(openaiProtocol, options);
}
