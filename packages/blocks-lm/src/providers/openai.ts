import type OpenAI from 'openai';
import type { ResolvedLmConfig } from '../config.js';
import { createOpenAIBatchApi, OPENAI_LIMITS } from '../engine/batch/openai-batch-api.js';
import { createLeanFetch } from '../engine/lean-fetch.js';
import {
  estimateTokens,
  type LmProvider,
  type ProviderRequest,
  type ProviderResponse,
  parseToolArguments,
  type TokenLogprob,
  type ToolCall,
} from '../engine/provider.js';
import {
  assertHasChoices,
  isRetryableStatus,
  parseRetryAfter,
  type RequestFailure,
} from '../engine/retry.js';
import type { OpenAIConnection } from './openai-connection.js';

/** The `openai` SDK module. */
export type OpenAISdk = typeof import('openai');

let sdk: Promise<OpenAISdk> | undefined;

/**
 * Loads the `openai` SDK when the first OpenAI or Azure block is created: importing it takes
 * ~60 ms, which runs of other providers (and `dgt list`) need not pay.
 */
export function loadOpenAISdk(): Promise<OpenAISdk> {
  sdk ??= import('openai');
  return sdk;
}

function splitParams(request: ProviderRequest) {
  // num_ctx is Ollama's; it has no meaning here.
  const { temperature, max_tokens, top_p, stop, seed, n, num_ctx: _ctx, ...extra } = request.params;
  return { extra, common: { temperature, top_p, stop, seed, n }, maxTokens: max_tokens };
}

/** OpenAI's wire form of the engine's tools and tool choice. */
export function openaiTools(request: ProviderRequest): Record<string, unknown> {
  if (!request.tools) return {};
  const choice = request.toolChoice;
  return {
    tools: request.tools.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        parameters: t.parameters,
      },
    })),
    ...(choice
      ? {
          tool_choice:
            typeof choice === 'string'
              ? choice
              : { type: 'function', function: { name: choice.name } },
        }
      : {}),
  };
}

/** Reads the tool calls of an OpenAI chat message. */
export function readToolCalls(
  calls:
    | ReadonlyArray<{ id: string; type?: string; function?: { name: string; arguments: string } }>
    | null
    | undefined,
): ToolCall[] | undefined {
  const out = (calls ?? [])
    .filter((c) => c.function)
    .map((c) => ({
      id: c.id,
      name: c.function?.name ?? '',
      arguments: parseToolArguments(c.function?.arguments),
    }));
  return out.length > 0 ? out : undefined;
}

type ChatLogprobs = {
  content?: Array<{
    token: string;
    logprob: number;
    top_logprobs?: Array<{ token: string; logprob: number }>;
  }> | null;
} | null;

function readChatLogprobs(logprobs: ChatLogprobs | undefined): TokenLogprob[] | undefined {
  if (!logprobs?.content) return undefined;
  return logprobs.content.map((t) => ({
    token: t.token,
    logprob: t.logprob,
    ...(t.top_logprobs?.length
      ? { top_logprobs: t.top_logprobs.map((a) => ({ token: a.token, logprob: a.logprob })) }
      : {}),
  }));
}

function readCompletionLogprobs(
  logprobs:
    | { tokens?: string[]; token_logprobs?: number[]; top_logprobs?: Array<Record<string, number>> }
    | null
    | undefined,
): TokenLogprob[] | undefined {
  if (!logprobs?.tokens || !logprobs.token_logprobs) return undefined;
  return logprobs.tokens.map((token, i) => {
    const top = logprobs.top_logprobs?.[i];
    return {
      token,
      logprob: logprobs.token_logprobs?.[i] ?? 0,
      ...(top
        ? { top_logprobs: Object.entries(top).map(([t, logprob]) => ({ token: t, logprob })) }
        : {}),
    };
  });
}

/** What the engine needs to know about an error of the `openai` SDK (also used for Azure). */
export function openaiFailure(
  error: unknown,
  openai: OpenAISdk,
  endpoint?: string,
): RequestFailure {
  if (error instanceof openai.APIConnectionError) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return {
      retryable: true,
      unreachable: !(error instanceof openai.APIConnectionTimeoutError),
      message: `cannot reach ${endpoint ?? 'the server'}: ${error.message}${cause}`,
    };
  }
  if (error instanceof openai.APIError) {
    const body = error.error as { message?: unknown; code?: unknown } | undefined;
    const message = typeof body?.message === 'string' ? body.message : error.message;
    const retryAfterMs = parseRetryAfter(error.headers);
    // An exhausted quota is a 429 that no amount of waiting fixes.
    const quota = body?.code === 'insufficient_quota' || error.code === 'insufficient_quota';
    return {
      retryable: !quota && (error.status === undefined || isRetryableStatus(error.status)),
      ...(error.status !== undefined ? { status: quota ? 402 : error.status } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      message,
    };
  }
  return { retryable: false, message: error instanceof Error ? error.message : String(error) };
}

/** The wire body of a request for OpenAI's chat completions or legacy completions endpoint. */
export function openaiRequestBody(
  request: ProviderRequest,
  chatMaxKey: 'max_tokens' | 'max_completion_tokens',
): Record<string, unknown> {
  const { extra, common, maxTokens } = splitParams(request);
  if (request.method === 'completion') {
    const { logprobs, top_logprobs, ...rest } = extra;
    return {
      ...rest,
      ...common,
      // The completions API takes the number of top alternatives as `logprobs`.
      ...(logprobs ? { logprobs: typeof top_logprobs === 'number' ? top_logprobs : 0 } : {}),
      model: request.model,
      prompt: request.prompt,
      max_tokens: maxTokens,
      stream: false,
    };
  }
  const schema = request.responseSchema;
  return {
    ...extra,
    ...common,
    ...openaiTools(request),
    model: request.model,
    messages: request.messages,
    [chatMaxKey]: maxTokens,
    ...(schema
      ? {
          response_format: {
            type: 'json_schema',
            json_schema: { name: schema.name, schema: schema.schema, strict: false },
          },
        }
      : {}),
    stream: false,
  };
}

type CompletionReply = Parameters<typeof assertHasChoices>[0] & {
  choices: Array<{ index: number; text: string; logprobs?: unknown }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
};
type ChatReply = {
  choices: Array<{
    index: number;
    message: { content: string | null; tool_calls?: unknown };
    logprobs?: unknown;
  }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
};

/** Reads an OpenAI reply body (chat completion or completion) into the engine's response. */
export function readOpenAIReply(res: unknown, request: ProviderRequest): ProviderResponse {
  let choices: ProviderResponse['choices'];
  if (request.method === 'completion') {
    choices = [...assertHasChoices(res as CompletionReply, 'completion').choices]
      .sort((a, b) => a.index - b.index)
      .map((c) => {
        const lp = readCompletionLogprobs(
          c.logprobs as Parameters<typeof readCompletionLogprobs>[0],
        );
        return { text: c.text, ...(lp ? { logprobs: lp } : {}) };
      });
  } else {
    choices = [...assertHasChoices(res as ChatReply, 'chat completion').choices]
      .sort((a, b) => a.index - b.index)
      .map((c) => {
        const toolCalls = readToolCalls(
          c.message.tool_calls as Parameters<typeof readToolCalls>[0],
        );
        const lp = readChatLogprobs(c.logprobs as ChatLogprobs);
        return {
          text: c.message.content ?? '',
          ...(toolCalls ? { toolCalls } : {}),
          ...(lp ? { logprobs: lp } : {}),
        };
      });
  }
  const usage = (res as ChatReply).usage;
  return {
    choices,
    usage: {
      prompt_tokens: usage?.prompt_tokens ?? estimateTokens(request.prompt),
      completion_tokens:
        usage?.completion_tokens ?? estimateTokens(choices.map((c) => c.text).join(' ')),
    },
  };
}

/**
 * Sends one request through an `openai` SDK client (OpenAI, compatible servers, Azure):
 * chat completions with tools, logprobs and `response_format`, or legacy completions.
 */
export async function completeWithOpenAI(
  client: OpenAI,
  request: ProviderRequest,
  signal: AbortSignal,
  chatMaxKey: 'max_tokens' | 'max_completion_tokens',
): Promise<ProviderResponse> {
  const body = openaiRequestBody(request, chatMaxKey);
  const res =
    request.method === 'completion'
      ? await client.completions.create(
          body as unknown as OpenAI.CompletionCreateParamsNonStreaming,
          { signal },
        )
      : await client.chat.completions.create(
          body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming,
          { signal },
        );
  return readOpenAIReply(res, request);
}

/** An LM provider over the official `openai` SDK: chat completions and legacy completions. */
export async function createOpenAIProvider(
  config: ResolvedLmConfig,
  connection: OpenAIConnection,
  headers?: Record<string, string>,
): Promise<LmProvider> {
  const openai = await loadOpenAISdk();
  // About half the CPU per request of Node's built-in fetch (see lean-fetch.ts).
  const leanFetch = createLeanFetch();
  const client = new openai.OpenAI({
    fetch: leanFetch,
    apiKey: connection.apiKey,
    baseURL: connection.baseURL,
    // The engine retries and times out; the SDK's own timeout is only a backstop.
    maxRetries: 0,
    timeout: config.timeoutMs + 5_000,
    ...(headers || connection.authorization
      ? {
          defaultHeaders: {
            ...(connection.authorization ? { Authorization: connection.authorization } : {}),
            ...headers,
          },
        }
      : {}),
  });
  // OpenAI's own API wants max_completion_tokens for chat (reasoning models reject max_tokens);
  // compatible servers (vLLM, LM Studio, llama.cpp) all understand max_tokens.
  const chatMaxKey = connection.official ? 'max_completion_tokens' : 'max_tokens';

  return {
    name: 'openai',
    endpoint: connection.baseURL,
    complete: (request, signal) => completeWithOpenAI(client, request, signal, chatMaxKey),
    describeError: (error) => openaiFailure(error, openai, connection.baseURL),
    batch: createOpenAIBatchApi({
      sdk: openai,
      client,
      chatMaxKey,
      path: '/v1/chat/completions',
      limits: OPENAI_LIMITS,
    }),
    close: async () => leanFetch.close(),
  };
}
