import { createHash } from 'node:crypto';
import type { ShapedReply } from './default-reply.js';
import { watsonxEmbeddings } from './embeddings.js';
import {
  type FakeTool,
  HttpError,
  type LmEndpoint,
  type ParsedLmRequest,
  type Protocol,
  sendJson,
  startFakeServer,
} from './server.js';
import type { FakeLmServer, FakeServerOptions } from './types.js';

/** The API key the fake IAM service accepts. */
export const FAKE_WATSONX_API_KEY = 'fake-watsonx-key';

function errorBody(status: number, message: string) {
  const code =
    status === 429
      ? 'rate_limit_exceeded'
      : status === 401
        ? 'authentication_token_not_valid'
        : status >= 500
          ? 'internal_server_error'
          : 'invalid_input_argument';
  return {
    errors: [{ code, message }],
    trace: createHash('sha256').update(message).digest('hex').slice(0, 32),
    status_code: status,
  };
}

function common(body: Record<string, unknown>): void {
  if (typeof body.model_id !== 'string' || body.model_id === '')
    throw new HttpError(400, 'model_id is required');
  if (typeof body.project_id !== 'string' && typeof body.space_id !== 'string')
    throw new HttpError(400, 'either project_id or space_id is required');
}

function readTools(raw: unknown): FakeTool[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  return raw.map((t) => {
    const fn = (t as { function?: { name?: unknown; parameters?: unknown } }).function;
    if (typeof fn?.name !== 'string') throw new HttpError(400, 'tools[].function.name is required');
    return {
      name: fn.name,
      parameters: (fn.parameters ?? { type: 'object' }) as Record<string, unknown>,
    };
  });
}

const chat: LmEndpoint = {
  parse(body) {
    common(body);
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      throw new HttpError(400, 'messages must be a non-empty array');
    const prompt = (body.messages as Array<{ content?: unknown }>)
      .map((m) =>
        typeof m.content === 'string'
          ? m.content
          : Array.isArray(m.content)
            ? m.content.map((p: { text?: unknown }) => String(p?.text ?? '')).join('')
            : '',
      )
      .join('\n');
    const format = body.response_format as
      | { type?: string; json_schema?: { schema?: unknown } }
      | undefined;
    const schema =
      format?.type === 'json_schema' && typeof format.json_schema?.schema === 'object'
        ? (format.json_schema.schema as Record<string, unknown>)
        : undefined;
    const tools = readTools(body.tools);
    const named = (body.tool_choice as { function?: { name?: unknown } } | undefined)?.function
      ?.name;
    const toolChoice: ParsedLmRequest['toolChoice'] =
      typeof named === 'string'
        ? { name: named }
        : body.tool_choice_option === 'required' || body.tool_choice_option === 'none'
          ? body.tool_choice_option
          : undefined;
    const n = body.n === undefined ? 1 : Number(body.n);
    return {
      prompts: [prompt],
      n,
      stop: Array.isArray(body.stop) ? body.stop.map(String) : [],
      json: format !== undefined,
      ...(typeof body.max_tokens === 'number' ? { maxTokens: body.max_tokens } : {}),
      ...(schema ? { schema } : {}),
      ...(tools ? { tools } : {}),
      ...(toolChoice ? { toolChoice } : {}),
      ...(body.logprobs === true ? { logprobs: Number(body.top_logprobs ?? 0) } : {}),
    };
  },
  send(res, reply) {
    const completion = reply.choices.reduce((sum, c) => sum + c.tokens, 0);
    sendJson(res, 200, {
      id: `chatcmpl-${reply.req.index}`,
      object: 'chat.completion',
      model_id: reply.body.model_id,
      model: reply.body.model_id,
      created: Math.floor(Date.now() / 1000),
      model_version: '1.0.0',
      created_at: new Date().toISOString(),
      choices: reply.choices.map((c: ShapedReply, index) => ({
        index,
        message: {
          role: 'assistant',
          content: c.text,
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
        ...(c.logprobs ? { logprobs: { content: c.logprobs } } : {}),
        finish_reason: c.finishReason,
      })),
      usage: {
        prompt_tokens: reply.promptTokens,
        completion_tokens: completion,
        total_tokens: reply.promptTokens + completion,
      },
    });
  },
};

const generation: LmEndpoint = {
  parse(body) {
    common(body);
    if (typeof body.input !== 'string') throw new HttpError(400, 'input must be a string');
    const p = (body.parameters ?? {}) as Record<string, unknown>;
    return {
      prompts: [body.input],
      n: 1,
      stop: Array.isArray(p.stop_sequences) ? p.stop_sequences.map(String) : [],
      json: false,
      maxTokens: typeof p.max_new_tokens === 'number' ? p.max_new_tokens : 20,
    };
  },
  send(res, reply) {
    const c = reply.choices[0] as ShapedReply;
    sendJson(res, 200, {
      model_id: reply.body.model_id,
      model_version: '1.0.0',
      created_at: new Date().toISOString(),
      results: [
        {
          generated_text: c.text,
          generated_token_count: c.tokens,
          input_token_count: reply.promptTokens,
          stop_reason:
            c.finishReason === 'length'
              ? 'max_tokens'
              : c.stopSequence !== undefined
                ? 'stop_sequence'
                : 'eos_token',
        },
      ],
    });
  },
};

/** Issued IAM tokens, per server, so the LM endpoints can check them. */
function createWatsonxProtocol(): Protocol {
  const tokens = new Set<string>();
  let issued = 0;
  return {
    baseURL: (url) => url,
    lm: {
      '/ml/v1/text/chat': chat,
      '/ml/v1/text/generation': generation,
      '/ml/v1/text/embeddings': watsonxEmbeddings,
    },
    get: {
      '/ml/v1/foundation_model_specs': (models) => ({
        total_count: models.length,
        resources: models.map((model_id) => ({ model_id, label: model_id })),
      }),
    },
    post: {
      '/identity/token': (raw) => {
        const form = new URLSearchParams(raw);
        if (form.get('grant_type') !== 'urn:ibm:params:oauth:grant-type:apikey') {
          return {
            status: 400,
            body: { errorCode: 'BXNIM0415E', errorMessage: 'Provided grant type is not supported' },
          };
        }
        if (form.get('apikey') !== FAKE_WATSONX_API_KEY) {
          return {
            status: 400,
            body: { errorCode: 'BXNIM0415E', errorMessage: 'Provided API key could not be found.' },
          };
        }
        const token = `fake-iam-token-${++issued}`;
        tokens.add(token);
        const now = Math.floor(Date.now() / 1000);
        return {
          status: 200,
          body: {
            access_token: token,
            refresh_token: 'not_supported',
            token_type: 'Bearer',
            expires_in: 3600,
            expiration: now + 3600,
            scope: 'ibm openid',
          },
        };
      },
    },
    authorize(req) {
      const auth = req.headers.authorization ?? '';
      const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
      if (!token) return 'missing Authorization: Bearer token';
      // A token from the IAM service, or the fake's key used directly as a token.
      return tokens.has(token) || token === FAKE_WATSONX_API_KEY
        ? undefined
        : 'authentication token not valid';
    },
    errorBody,
  };
}

/**
 * Starts a fake watsonx.ai server on 127.0.0.1: the IAM token service (`POST /identity/token`,
 * accepting the API key {@link FAKE_WATSONX_API_KEY}), text chat (`POST /ml/v1/text/chat`,
 * OpenAI-like messages, tools, `response_format`, logprobs) and text generation
 * (`POST /ml/v1/text/generation`, `parameters.max_new_tokens`, `stop_sequences`), both demanding
 * a bearer token from the IAM service (or the key itself) and a `project_id` or `space_id`.
 * Errors use watsonx's `{ errors: [{ code, message }], status_code }` shape. Use `server.url`
 * both as the watsonx URL and as the IAM URL.
 */
export function startFakeWatsonx(options?: FakeServerOptions): Promise<FakeLmServer> {
  return startFakeServer(createWatsonxProtocol(), options);
}
