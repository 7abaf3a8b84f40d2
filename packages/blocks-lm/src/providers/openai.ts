import { DgtError } from '@dgt/core';
import OpenAI from 'openai';
import type { ResolvedLmConfig } from '../config.js';
import { estimateTokens, type LmProvider, type ProviderRequest } from '../engine/provider.js';
import { isRetryableStatus, parseRetryAfter, type RequestFailure } from '../engine/retry.js';

const OPENAI_URL = 'https://api.openai.com/v1';

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
  const baseURL = config.baseUrl ?? env.OPENAI_BASE_URL ?? OPENAI_URL;
  let official = false;
  try {
    official = new URL(baseURL).hostname === 'api.openai.com';
  } catch {
    throw new DgtError(
      'INVALID_BLOCK_CONFIG',
      `Block "${block.name}" (type ${block.type}): key "base_url" is not a URL: ${baseURL}`,
    );
  }
  const apiKey = config.apiKey ?? env.OPENAI_API_KEY ?? (official ? undefined : 'EMPTY');
  if (!apiKey) {
    throw new DgtError(
      'MISSING_CREDENTIALS',
      `Block "${block.name}" (type ${block.type}): no API key — set OPENAI_API_KEY in the environment (or .env), or the block's "api_key" key.`,
    );
  }
  return { baseURL, apiKey, official };
}

function splitParams(request: ProviderRequest) {
  // num_ctx is Ollama's; OpenAI-compatible servers reject unknown fields less often than they
  // ignore them, but it has no meaning here.
  const { temperature, max_tokens, top_p, stop, seed, n, num_ctx: _ctx, ...extra } = request.params;
  return { extra, common: { temperature, top_p, stop, seed, n }, maxTokens: max_tokens };
}

function failureOf(error: unknown): RequestFailure {
  if (error instanceof OpenAI.APIConnectionError) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return { retryable: true, message: `${error.message}${cause}` };
  }
  if (error instanceof OpenAI.APIError) {
    const body = error.error as { message?: unknown } | undefined;
    const message = typeof body?.message === 'string' ? body.message : error.message;
    const retryAfterMs = parseRetryAfter(error.headers);
    return {
      retryable: error.status === undefined || isRetryableStatus(error.status),
      ...(error.status !== undefined ? { status: error.status } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      message,
    };
  }
  return { retryable: false, message: error instanceof Error ? error.message : String(error) };
}

/** An LM provider over the official `openai` SDK: chat completions and legacy completions. */
export function createOpenAIProvider(
  config: ResolvedLmConfig,
  connection: OpenAIConnection,
): LmProvider {
  const client = new OpenAI({
    apiKey: connection.apiKey,
    baseURL: connection.baseURL,
    // The engine retries and times out; the SDK's own timeout is only a backstop.
    maxRetries: 0,
    timeout: config.timeoutMs + 5_000,
  });
  // OpenAI's own API wants max_completion_tokens for chat (reasoning models reject max_tokens);
  // compatible servers (vLLM, LM Studio, llama.cpp) all understand max_tokens.
  const chatMaxKey = connection.official ? 'max_completion_tokens' : 'max_tokens';

  return {
    name: 'openai',
    async complete(request, signal) {
      const { extra, common, maxTokens } = splitParams(request);
      if (request.method === 'completion') {
        const res = await client.completions.create(
          {
            ...extra,
            ...common,
            model: request.model,
            prompt: request.prompt,
            max_tokens: maxTokens,
            stream: false,
          },
          { signal },
        );
        const texts = [...res.choices].sort((a, b) => a.index - b.index).map((c) => c.text);
        return {
          texts,
          usage: {
            prompt_tokens: res.usage?.prompt_tokens ?? estimateTokens(request.prompt),
            completion_tokens: res.usage?.completion_tokens ?? estimateTokens(texts.join(' ')),
          },
        };
      }
      const schema = request.responseSchema;
      const res = await client.chat.completions.create(
        {
          ...extra,
          ...common,
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
      const texts = [...res.choices]
        .sort((a, b) => a.index - b.index)
        .map((c) => c.message.content ?? '');
      return {
        texts,
        usage: {
          prompt_tokens: res.usage?.prompt_tokens ?? estimateTokens(request.prompt),
          completion_tokens: res.usage?.completion_tokens ?? estimateTokens(texts.join(' ')),
        },
      };
    },
    describeError: failureOf,
  };
}
