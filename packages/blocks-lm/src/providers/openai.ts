import { DgtError } from '@dgt/core';
import type OpenAI from 'openai';
import { isHttpUrl, type ResolvedLmConfig } from '../config.js';
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

const OPENAI_URL = 'https://api.openai.com/v1';

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

/** Where and as whom an OpenAI block connects. */
export type OpenAIConnection = { baseURL: string; apiKey: string; official: boolean };

/**
 * Resolves the server and key: config first, then `OPENAI_BASE_URL` / `OPENAI_API_KEY`. A server
 * other than api.openai.com with no key gets the placeholder `EMPTY`, as local servers (vLLM,
 * LM Studio) expect some key but check none.
 */
export function resolveOpenAIConnection(
  config: ResolvedLmConfig,
  env: Record<string, string | undefined>,
  block: { name: string; type: string },
): OpenAIConnection {
  const baseURL = config.baseUrl || env.OPENAI_BASE_URL || OPENAI_URL;
  if (!isHttpUrl(baseURL)) {
    throw new DgtError(
      'INVALID_BLOCK_CONFIG',
      `Block "${block.name}" (type ${block.type}): key "base_url" (or OPENAI_BASE_URL) is not an http:// or https:// URL: ${baseURL}`,
    );
  }
  const official = new URL(baseURL).hostname === 'api.openai.com';
  // An empty variable (`OPENAI_API_KEY=` in a .env) counts as unset.
  const apiKey = config.apiKey || env.OPENAI_API_KEY || (official ? undefined : 'EMPTY');
  if (!apiKey) {
    throw new DgtError(
      'MISSING_CREDENTIALS',
      `Block "${block.name}" (type ${block.type}): no API key — set OPENAI_API_KEY in the environment (or .env), or the block's "api_key" key.`,
    );
  }
  return { baseURL, apiKey, official };
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
  const { extra, common, maxTokens } = splitParams(request);
  if (request.method === 'completion') {
    const { logprobs, top_logprobs, ...rest } = extra;
    const res = await client.completions.create(
      {
        ...rest,
        ...common,
        // The completions API takes the number of top alternatives as `logprobs`.
        ...(logprobs ? { logprobs: typeof top_logprobs === 'number' ? top_logprobs : 0 } : {}),
        model: request.model,
        prompt: request.prompt,
        max_tokens: maxTokens,
        stream: false,
      },
      { signal },
    );
    const choices = [...assertHasChoices(res, 'completion').choices]
      .sort((a, b) => a.index - b.index)
      .map((c) => {
        const lp = readCompletionLogprobs(c.logprobs);
        return { text: c.text, ...(lp ? { logprobs: lp } : {}) };
      });
    return {
      choices,
      usage: {
        prompt_tokens: res.usage?.prompt_tokens ?? estimateTokens(request.prompt),
        completion_tokens:
          res.usage?.completion_tokens ?? estimateTokens(choices.map((c) => c.text).join(' ')),
      },
    };
  }
  const schema = request.responseSchema;
  const res = await client.chat.completions.create(
    {
      ...extra,
      ...common,
      ...openaiTools(request),
      model: request.model,
      messages: request.messages as OpenAI.ChatCompletionMessageParam[],
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
    },
    { signal },
  );
  const choices = [...assertHasChoices(res, 'chat completion').choices]
    .sort((a, b) => a.index - b.index)
    .map((c) => {
      const toolCalls = readToolCalls(c.message.tool_calls as Parameters<typeof readToolCalls>[0]);
      const lp = readChatLogprobs(c.logprobs as ChatLogprobs);
      return {
        text: c.message.content ?? '',
        ...(toolCalls ? { toolCalls } : {}),
        ...(lp ? { logprobs: lp } : {}),
      };
    });
  return {
    choices,
    usage: {
      prompt_tokens: res.usage?.prompt_tokens ?? estimateTokens(request.prompt),
      completion_tokens:
        res.usage?.completion_tokens ?? estimateTokens(choices.map((c) => c.text).join(' ')),
    },
  };
}

/** An LM provider over the official `openai` SDK: chat completions and legacy completions. */
export async function createOpenAIProvider(
  config: ResolvedLmConfig,
  connection: OpenAIConnection,
  headers?: Record<string, string>,
): Promise<LmProvider> {
  const openai = await loadOpenAISdk();
  const client = new openai.OpenAI({
    apiKey: connection.apiKey,
    baseURL: connection.baseURL,
    // The engine retries and times out; the SDK's own timeout is only a backstop.
    maxRetries: 0,
    timeout: config.timeoutMs + 5_000,
    ...(headers ? { defaultHeaders: headers } : {}),
  });
  // OpenAI's own API wants max_completion_tokens for chat (reasoning models reject max_tokens);
  // compatible servers (vLLM, LM Studio, llama.cpp) all understand max_tokens.
  const chatMaxKey = connection.official ? 'max_completion_tokens' : 'max_tokens';

  return {
    name: 'openai',
    endpoint: connection.baseURL,
    complete: (request, signal) => completeWithOpenAI(client, request, signal, chatMaxKey),
    describeError: (error) => openaiFailure(error, openai, connection.baseURL),
  };
}
