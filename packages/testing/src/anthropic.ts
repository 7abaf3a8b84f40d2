import { createHash } from 'node:crypto';
import { anthropicBatchRoute } from './anthropic-batch.js';
import type { ShapedReply } from './default-reply.js';
import {
  type FakeTool,
  HttpError,
  type ParsedLmRequest,
  type Protocol,
  type RenderingEndpoint,
  sendJson,
  startFakeServer,
} from './server.js';
import type { FakeLmServer, FakeServerOptions } from './types.js';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

function errorBody(status: number, message: string) {
  return {
    type: 'error',
    error: {
      type: ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'),
      message,
    },
  };
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block) => {
      const b = block as { type?: string; text?: unknown; content?: unknown };
      if (b?.type === 'text') return String(b.text ?? '');
      if (b?.type === 'tool_result') return contentText(b.content);
      return '';
    })
    .join('');
}

function readTools(raw: unknown): FakeTool[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw new HttpError(400, 'tools: Input should be a valid list');
  return raw.map((t, i) => {
    const tool = t as { name?: unknown; input_schema?: unknown };
    if (typeof tool?.name !== 'string') throw new HttpError(400, `tools.${i}.name: Field required`);
    if (typeof tool.input_schema !== 'object' || tool.input_schema === null)
      throw new HttpError(400, `tools.${i}.input_schema: Field required`);
    return { name: tool.name, parameters: tool.input_schema as Record<string, unknown> };
  });
}

function readToolChoice(raw: unknown): ParsedLmRequest['toolChoice'] {
  const choice = raw as { type?: string; name?: string } | undefined;
  if (!choice) return undefined;
  if (choice.type === 'any') return 'required';
  if (choice.type === 'tool' && typeof choice.name === 'string') return { name: choice.name };
  if (choice.type === 'auto' || choice.type === 'none') return choice.type;
  throw new HttpError(400, `tool_choice: unknown type ${String(choice.type)}`);
}

const messages: RenderingEndpoint = {
  parse(body) {
    if (typeof body.model !== 'string' || body.model === '')
      throw new HttpError(400, 'model: Field required');
    if (typeof body.max_tokens !== 'number' || body.max_tokens < 1)
      throw new HttpError(400, 'max_tokens: Field required');
    if (body.stream === true)
      throw new HttpError(400, 'stream: true is not supported by the fake Anthropic server');
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      throw new HttpError(400, 'messages: at least one message is required');
    for (const m of body.messages as Array<{ role?: unknown }>) {
      if (m?.role !== 'user' && m?.role !== 'assistant')
        throw new HttpError(400, `messages: Unexpected role "${String(m?.role)}"`);
    }
    const system = contentText(body.system);
    const prompt = [
      ...(system ? [system] : []),
      ...(body.messages as Array<{ content?: unknown }>).map((m) => contentText(m.content)),
    ].join('\n');
    const format = (body.output_config as { format?: { type?: string; schema?: unknown } })?.format;
    const schema =
      format?.type === 'json_schema' && typeof format.schema === 'object' && format.schema
        ? (format.schema as Record<string, unknown>)
        : undefined;
    const tools = readTools(body.tools);
    const toolChoice = readToolChoice(body.tool_choice);
    return {
      prompts: [prompt],
      n: 1,
      stop: Array.isArray(body.stop_sequences) ? body.stop_sequences.map(String) : [],
      json: schema !== undefined,
      maxTokens: body.max_tokens,
      ...(schema ? { schema } : {}),
      ...(tools ? { tools } : {}),
      ...(toolChoice ? { toolChoice } : {}),
    };
  },
  send(res, reply) {
    const body = messages.render(reply) as { id: string };
    sendJson(res, 200, body, { 'request-id': body.id.replace(/^msg_/, 'req_') });
  },
  render(reply) {
    const c = reply.choices[0] as ShapedReply;
    const id = createHash('sha256')
      .update(`${reply.req.index}:${JSON.stringify(reply.body)}`)
      .digest('hex')
      .slice(0, 24);
    const content: unknown[] = [];
    if (c.text !== '' || !c.toolCalls) content.push({ type: 'text', text: c.text });
    for (const call of c.toolCalls ?? []) {
      content.push({
        type: 'tool_use',
        id: `toolu_${call.id}`,
        name: call.name,
        input: call.arguments,
      });
    }
    const stopReason = c.toolCalls
      ? 'tool_use'
      : c.finishReason === 'length'
        ? 'max_tokens'
        : c.stopSequence !== undefined
          ? 'stop_sequence'
          : 'end_turn';
    return {
      id: `msg_${id}`,
      type: 'message',
      role: 'assistant',
      model: reply.body.model,
      content,
      stop_reason: stopReason,
      stop_sequence: c.stopSequence ?? null,
      usage: {
        input_tokens: reply.promptTokens,
        output_tokens: c.tokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        service_tier: 'standard',
      },
    };
  },
};

const anthropicProtocol: Protocol = {
  baseURL: (url) => url,
  lm: { '/v1/messages': messages },
  routes: [anthropicBatchRoute],
  get: {
    '/v1/models': (models) => ({
      data: models.map((id) => ({
        type: 'model',
        id,
        display_name: id,
        created_at: '2025-01-01T00:00:00Z',
      })),
      has_more: false,
      first_id: models[0] ?? null,
      last_id: models.at(-1) ?? null,
    }),
  },
  authorize: (req) =>
    req.headers['x-api-key'] || req.headers.authorization
      ? undefined
      : 'x-api-key header is required',
  errorBody,
};

/**
 * Starts a fake Anthropic Messages API on 127.0.0.1: `POST /v1/messages` (non-streaming) with
 * `system`, `max_tokens`, `stop_sequences`, tools (`tool_use` blocks; a `tool_choice` of `any` or
 * `tool` forces a call with arguments filling the tool's `input_schema`), structured output via
 * `output_config.format` (`json_schema`), `usage.input_tokens` / `output_tokens` counted in words,
 * Anthropic's error shape, and `GET /v1/models`. Requests without `x-api-key` get 401. Point the
 * `@anthropic-ai/sdk` client's `baseURL` at `server.baseURL`. Message Batches
 * (`/v1/messages/batches`, its results JSONL and cancel) answer with the same replies, after
 * `batch.delayMs`, with the failures and expiry `batch` asks for.
 *
 * @example
 * const server = await startFakeAnthropic({ rateLimit: { requestsPerSecond: 5 } });
 * const client = new Anthropic({ baseURL: server.baseURL, apiKey: 'test' });
 * await client.messages.create({ model: 'claude-x', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
 */
export function startFakeAnthropic(options?: FakeServerOptions): Promise<FakeLmServer> {
  return startFakeServer(anthropicProtocol, options);
}
