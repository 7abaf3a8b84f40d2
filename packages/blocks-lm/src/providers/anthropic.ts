import { DgtError } from '@dgt/core';
import type { ResolvedLmConfig } from '../config.js';
import { createAnthropicBatchApi } from '../engine/batch/anthropic-batch-api.js';
import {
  estimateTokens,
  type LmProvider,
  type ProviderChoice,
  type ProviderRequest,
  type ToolCall,
} from '../engine/provider.js';
import {
  isRetryableStatus,
  MalformedReply,
  parseRetryAfter,
  type RequestFailure,
} from '../engine/retry.js';

type AnthropicModule = typeof import('@anthropic-ai/sdk');
type AnthropicClient = InstanceType<AnthropicModule['default']>;

/** Anthropic's Messages API requires `max_tokens`; this is sent when the block sets none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

/**
 * Loads `@anthropic-ai/sdk`, an optional peer dependency: only users of the `anthropic` block
 * install it. A missing package is a DgtError saying what to install.
 */
export async function loadAnthropicSdk(block: {
  name: string;
  type: string;
}): Promise<AnthropicModule> {
  try {
    return await import('@anthropic-ai/sdk');
  } catch (error) {
    throw new DgtError(
      'MISSING_DEPENDENCY',
      `Block "${block.name}" (type ${block.type}) needs the package @anthropic-ai/sdk — install it in your project: npm install @anthropic-ai/sdk (or pnpm add @anthropic-ai/sdk).`,
      { cause: error },
    );
  }
}

// Decoding keys the Messages API does not take.
const UNSUPPORTED = new Set([
  'seed',
  'n',
  'num_ctx',
  'logprobs',
  'top_logprobs',
  'frequency_penalty',
  'presence_penalty',
]);

/** The Messages API body of a request. */
export function buildBody(request: ProviderRequest): Record<string, unknown> {
  const { temperature, max_tokens, top_p, stop, ...extra } = request.params;
  for (const key of Object.keys(extra)) if (UNSUPPORTED.has(key)) delete extra[key];
  // The Messages API has no completion mode: a prompt is one user message.
  const source =
    request.method === 'completion'
      ? [{ role: 'user' as const, content: request.prompt }]
      : request.messages;
  const system = source
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');
  const messages = source
    .filter((m) => m.role !== 'system')
    .map((m) => ({ role: m.role === 'assistant' ? 'assistant' : 'user', content: m.content }));
  const choice = request.toolChoice;
  return {
    ...extra,
    model: request.model,
    max_tokens: max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages,
    ...(system ? { system } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
    ...(top_p !== undefined ? { top_p } : {}),
    ...(stop?.length ? { stop_sequences: stop } : {}),
    ...(request.responseSchema
      ? {
          output_config: { format: { type: 'json_schema', schema: request.responseSchema.schema } },
        }
      : {}),
    ...(request.tools
      ? {
          tools: request.tools.map((t) => ({
            name: t.name,
            ...(t.description ? { description: t.description } : {}),
            input_schema: t.parameters,
          })),
        }
      : {}),
    ...(request.tools && choice
      ? {
          tool_choice:
            choice === 'required'
              ? { type: 'any' }
              : typeof choice === 'string'
                ? { type: choice }
                : { type: 'tool', name: choice.name },
        }
      : {}),
  };
}

type ContentBlock = { type: string; text?: string; id?: string; name?: string; input?: unknown };

/** Reads a Messages API reply: its text, tool calls and token counts. */
export function readMessage(raw: unknown, request: ProviderRequest) {
  const res = raw as {
    content: ContentBlock[];
    usage?: { input_tokens?: number; output_tokens?: number };
  };
  if (typeof res !== 'object' || res === null || !Array.isArray(res.content)) {
    throw new MalformedReply(
      `the server sent a malformed Messages reply: ${String(JSON.stringify(res)).slice(0, 80)}`,
    );
  }
  const text = res.content
    .filter((b) => b.type === 'text')
    .map((b) => b.text ?? '')
    .join('');
  const toolCalls: ToolCall[] = res.content
    .filter((b) => b.type === 'tool_use')
    .map((b) => ({ id: b.id ?? '', name: b.name ?? '', arguments: b.input ?? {} }));
  const choice: ProviderChoice = { text, ...(toolCalls.length ? { toolCalls } : {}) };
  return {
    choice,
    promptTokens: res.usage?.input_tokens ?? estimateTokens(request.prompt),
    completionTokens: res.usage?.output_tokens ?? estimateTokens(text),
  };
}

/**
 * An LM provider over Anthropic's Messages API (`@anthropic-ai/sdk`, non-streaming): system
 * messages go to `system`, stop sequences to `stop_sequences`, a response schema to
 * `output_config.format`, tools to `tools`/`tool_choice`. No `n`: several completions are
 * several requests. No log-probabilities.
 */
export function createAnthropicProvider(
  sdk: AnthropicModule,
  config: ResolvedLmConfig,
  connection: { apiKey: string; baseURL: string },
  headers?: Record<string, string>,
): LmProvider {
  const Anthropic = sdk.default;
  const client: AnthropicClient = new Anthropic({
    apiKey: connection.apiKey,
    baseURL: connection.baseURL,
    maxRetries: 0,
    timeout: config.timeoutMs + 5_000,
    ...(headers ? { defaultHeaders: headers } : {}),
  });

  async function once(request: ProviderRequest, signal: AbortSignal) {
    const res = await client.messages.create(
      buildBody(request) as unknown as Parameters<AnthropicClient['messages']['create']>[0],
      { signal },
    );
    return readMessage(res, request);
  }

  return {
    name: 'anthropic',
    endpoint: connection.baseURL,
    batch: createAnthropicBatchApi(client, buildBody, readMessage),
    async complete(request, signal) {
      const choices: ProviderChoice[] = [];
      let prompt = 0;
      let completion = 0;
      for (let i = 0; i < (request.params.n ?? 1); i++) {
        const res = await once(request, signal);
        choices.push(res.choice);
        prompt += res.promptTokens;
        completion += res.completionTokens;
      }
      return { choices, usage: { prompt_tokens: prompt, completion_tokens: completion } };
    },
    describeError(error): RequestFailure {
      if (error instanceof sdk.APIConnectionError) {
        const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
        return {
          retryable: true,
          unreachable: !(error instanceof sdk.APIConnectionTimeoutError),
          message: `cannot reach Anthropic at ${connection.baseURL}: ${error.message}${cause}`,
        };
      }
      if (error instanceof sdk.APIError) {
        const body = error.error as { error?: { message?: unknown } } | undefined;
        const message =
          typeof body?.error?.message === 'string' ? body.error.message : error.message;
        const retryAfterMs = parseRetryAfter(error.headers);
        return {
          retryable: error.status === undefined || isRetryableStatus(error.status),
          ...(error.status !== undefined ? { status: error.status } : {}),
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
          message,
        };
      }
      return { retryable: false, message: error instanceof Error ? error.message : String(error) };
    },
  };
}
