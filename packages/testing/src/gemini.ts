import { createHash } from 'node:crypto';
import type { ShapedReply } from './default-reply.js';
import {
  type FakeTool,
  HttpError,
  type LmEndpoint,
  type LmReply,
  type ParsedLmRequest,
  type Protocol,
  type RenderingEndpoint,
  sendJson,
  startFakeServer,
} from './server.js';
import type { FakeLmServer, FakeServerOptions } from './types.js';

// google.rpc.Code names by HTTP status, as the Generative Language API reports them.
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/**
 * Google's error shape. A wait is told in a `RetryInfo` detail (`"retryDelay": "3s"`), not in a
 * `Retry-After` header.
 */
function errorBody(status: number, message: string, retryAfterSeconds?: number) {
  return {
    error: {
      code: status,
      message,
      status: STATUS_NAMES[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT'),
      ...(retryAfterSeconds !== undefined
        ? {
            details: [
              {
                '@type': 'type.googleapis.com/google.rpc.RetryInfo',
                retryDelay: `${retryAfterSeconds}s`,
              },
            ],
          }
        : {}),
    },
  };
}

type Part = { text?: unknown; functionCall?: unknown; functionResponse?: unknown };

function partsText(content: unknown, where: string): string {
  const parts = (content as { parts?: unknown } | undefined)?.parts;
  if (!Array.isArray(parts)) throw new HttpError(400, `${where}.parts: must be a list`);
  return (parts as Part[]).map((p) => (typeof p?.text === 'string' ? p.text : '')).join('');
}

/**
 * `parameters` and `responseSchema` are Google's OpenAPI subset, whose types are upper case
 * (`OBJECT`, `STRING`); the replies are generated from JSON Schema's lower-case names.
 */
function fromOpenApiSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(fromOpenApiSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [
      key,
      key === 'type' && typeof value === 'string' ? value.toLowerCase() : fromOpenApiSchema(value),
    ]),
  );
}

function readTools(raw: unknown): FakeTool[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) throw new HttpError(400, 'tools: must be a list');
  const out: FakeTool[] = [];
  for (const [i, tool] of (raw as Array<{ functionDeclarations?: unknown }>).entries()) {
    const declarations = tool?.functionDeclarations;
    if (!Array.isArray(declarations))
      throw new HttpError(400, `tools[${i}].functionDeclarations: must be a list`);
    for (const [j, d] of (declarations as Array<Record<string, unknown>>).entries()) {
      if (typeof d?.name !== 'string' || d.name === '')
        throw new HttpError(400, `tools[${i}].function_declarations[${j}].name: is required`);
      const parameters =
        d.parametersJsonSchema ??
        (d.parameters === undefined ? { type: 'object' } : fromOpenApiSchema(d.parameters));
      out.push({ name: d.name, parameters: parameters as Record<string, unknown> });
    }
  }
  return out;
}

function readToolChoice(raw: unknown): ParsedLmRequest['toolChoice'] {
  const config = (
    raw as { functionCallingConfig?: { mode?: string; allowedFunctionNames?: unknown } }
  )?.functionCallingConfig;
  if (!config?.mode) return undefined;
  const allowed = Array.isArray(config.allowedFunctionNames) ? config.allowedFunctionNames : [];
  switch (config.mode) {
    case 'ANY':
      return allowed.length === 1 ? { name: String(allowed[0]) } : 'required';
    case 'AUTO':
    case 'VALIDATED':
      return 'auto';
    case 'NONE':
      return 'none';
    default:
      throw new HttpError(
        400,
        `tool_config.function_calling_config.mode: unknown mode ${config.mode}`,
      );
  }
}

const generateContent: RenderingEndpoint = {
  parse(body) {
    if (!Array.isArray(body.contents) || body.contents.length === 0)
      throw new HttpError(400, 'contents is not specified');
    for (const [i, c] of (body.contents as Array<{ role?: unknown }>).entries()) {
      if (c?.role !== undefined && c.role !== 'user' && c.role !== 'model')
        throw new HttpError(
          400,
          `Please use a valid role: user, model. (contents[${i}].role: ${String(c.role)})`,
        );
    }
    const system = body.systemInstruction
      ? partsText(body.systemInstruction, 'system_instruction')
      : '';
    const prompt = [
      ...(system ? [system] : []),
      ...(body.contents as unknown[]).map((c, i) => partsText(c, `contents[${i}]`)),
    ].join('\n');
    const config = (body.generationConfig ?? {}) as Record<string, unknown>;
    const n = config.candidateCount ?? 1;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 8)
      throw new HttpError(400, 'generation_config.candidate_count: must be between 1 and 8');
    const json = config.responseMimeType === 'application/json';
    const rawSchema =
      config.responseJsonSchema ??
      (config.responseSchema === undefined ? undefined : fromOpenApiSchema(config.responseSchema));
    if (rawSchema !== undefined && !json)
      throw new HttpError(
        400,
        'generation_config.response_mime_type: must be application/json when a response schema is set',
      );
    const schema =
      typeof rawSchema === 'object' && rawSchema !== null
        ? (rawSchema as Record<string, unknown>)
        : undefined;
    const tools = readTools(body.tools);
    const toolChoice = readToolChoice(body.toolConfig);
    if (config.logprobs !== undefined && config.responseLogprobs !== true)
      throw new HttpError(
        400,
        'generation_config.logprobs: response_logprobs must be true when logprobs is set',
      );
    const logprobs = config.responseLogprobs === true ? Number(config.logprobs ?? 0) : undefined;
    return {
      prompts: [prompt],
      n,
      ...(logprobs !== undefined ? { logprobs } : {}),
      stop: Array.isArray(config.stopSequences) ? config.stopSequences.map(String) : [],
      json,
      ...(typeof config.maxOutputTokens === 'number' ? { maxTokens: config.maxOutputTokens } : {}),
      ...(schema ? { schema } : {}),
      ...(tools ? { tools } : {}),
      ...(toolChoice ? { toolChoice } : {}),
    };
  },
  send(res, reply) {
    sendJson(res, 200, generateContent.render(reply));
  },
  render(reply: LmReply) {
    const model = /\/models\/([^:]+):/.exec(reply.req.path)?.[1] ?? 'fake-model';
    const id = createHash('sha256')
      .update(`${reply.req.index}:${JSON.stringify(reply.body)}`)
      .digest('base64url')
      .slice(0, 22);
    const candidates = reply.choices.map((choice, index) => {
      const c = choice as ShapedReply;
      const parts: unknown[] = [];
      if (c.text !== '' || !c.toolCalls) parts.push({ text: c.text });
      for (const call of c.toolCalls ?? [])
        parts.push({ functionCall: { name: call.name, args: call.arguments } });
      const logprobs = c.logprobs
        ? {
            logprobsResult: {
              topCandidates: c.logprobs.map((t) => ({
                candidates: t.top_logprobs.map((a) => ({
                  token: a.token,
                  logProbability: a.logprob,
                })),
              })),
              chosenCandidates: c.logprobs.map((t) => ({
                token: t.token,
                logProbability: t.logprob,
              })),
            },
          }
        : {};
      return {
        content: { role: 'model', parts },
        ...logprobs,
        // Gemini says STOP for tool calls and stop sequences too.
        finishReason: c.finishReason === 'length' ? 'MAX_TOKENS' : 'STOP',
        index,
      };
    });
    const completion = reply.choices.reduce((sum, c) => sum + c.tokens, 0);
    return {
      candidates,
      usageMetadata: {
        promptTokenCount: reply.promptTokens,
        candidatesTokenCount: completion,
        totalTokenCount: reply.promptTokens + completion,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: reply.promptTokens }],
      },
      modelVersion: model,
      responseId: id,
    };
  },
};

/** `POST /v1beta/models/{model}:batchEmbedContents`: one `values` vector per request. */
const batchEmbedContents: LmEndpoint = {
  embeddings: true,
  parse(body) {
    if (!Array.isArray(body.requests) || body.requests.length === 0)
      throw new HttpError(400, 'requests is not specified');
    const prompts = (body.requests as Array<{ model?: unknown; content?: unknown }>).map((r, i) => {
      if (typeof r?.model !== 'string' || !r.model.startsWith('models/'))
        throw new HttpError(400, `requests[${i}].model: must be of the form models/{model}`);
      return partsText(r.content, `requests[${i}].content`);
    });
    return { prompts, n: 1, stop: [], json: false };
  },
  send(res, reply) {
    sendJson(res, 200, { embeddings: (reply.vectors ?? []).map((values) => ({ values })) });
  },
};

const geminiProtocol: Protocol = {
  baseURL: (url) => url,
  // The model is part of the path: /v1beta/models/gemini-2.5-flash:generateContent.
  route: (path) => path.replace(/^\/v1beta\/models\/[^/:]+:/, '/v1beta/models/*:'),
  lm: {
    '/v1beta/models/*:generateContent': generateContent,
    '/v1beta/models/*:batchEmbedContents': batchEmbedContents,
  },
  get: {
    '/v1beta/models': (models) => ({
      models: models.map((id) => ({
        name: `models/${id}`,
        displayName: id,
        inputTokenLimit: 1_048_576,
        outputTokenLimit: 65_536,
        supportedGenerationMethods: ['generateContent', 'countTokens'],
      })),
    }),
  },
  authorize: (req) => {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get('key');
    return req.headers['x-goog-api-key'] || query
      ? undefined
      : "Method doesn't allow unregistered callers. Please use API Key or other form of API consumer identity to call this API.";
  },
  errorBody,
  retryAfterInBody: true,
};

/**
 * Starts a fake Gemini API (Google's Generative Language REST API) on 127.0.0.1:
 * `POST /v1beta/models/{model}:generateContent` with `contents` / `parts`, `systemInstruction`,
 * `generationConfig` (`temperature`, `topP`, `maxOutputTokens`, `stopSequences`,
 * `candidateCount`, `seed`, `responseLogprobs` / `logprobs` answered with a `logprobsResult`;
 * structured output with `responseMimeType: application/json` and
 * `responseJsonSchema`), function calling (`tools[].functionDeclarations`, `toolConfig`
 * `ANY` forcing a `functionCall` part), `usageMetadata` counted in words, Google's error shape
 * with the wait of a 429 in a `RetryInfo` detail, `:batchEmbedContents` (vectors from the
 * `embed` option), and `GET /v1beta/models`. Requests without an
 * `x-goog-api-key` header (or `?key=`) get 401. Point `@google/genai` at it with
 * `httpOptions: { baseUrl: server.baseURL }`.
 *
 * @example
 * const server = await startFakeGemini({ rateLimit: { requestsPerSecond: 5 } });
 * const ai = new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: server.baseURL } });
 * await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' });
 */
export function startFakeGemini(options?: FakeServerOptions): Promise<FakeLmServer> {
  return startFakeServer(geminiProtocol, options);
}
