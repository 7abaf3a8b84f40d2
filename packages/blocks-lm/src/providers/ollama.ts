import type { ResolvedLmConfig } from '../config.js';
import {
  estimateTokens,
  type LmProvider,
  type ProviderChoice,
  type ProviderRequest,
  parseToolArguments,
} from '../engine/provider.js';
import { isRetryableStatus, parseRetryAfter, type RequestFailure } from '../engine/retry.js';
import { splitUrlCredentials } from '../engine/url-credentials.js';

const DEFAULT_HOST = 'http://127.0.0.1:11434';

// The SDK is loaded with the first request: a run that only reads a config naming an `ollama`
// block (e.g. to retype it with --engine or an override) does not pay for importing it.
let sdk: Promise<typeof import('ollama')> | undefined;
const loadSdk = () => {
  sdk ??= import('ollama');
  return sdk;
};

// Top-level request fields of Ollama's API; every other extra key is a model option.
const TOP_LEVEL = new Set(['keep_alive', 'think', 'logprobs', 'top_logprobs']);

/** Carries what the engine needs from a failed Ollama request (the SDK's error drops headers). */
class OllamaFailure extends Error {
  constructor(readonly failure: RequestFailure) {
    super(failure.message);
  }
}

/** The Ollama host: config `base_url`, else `OLLAMA_HOST`, else the local default. */
export function resolveOllamaHost(
  config: ResolvedLmConfig,
  env: Record<string, string | undefined>,
): string {
  return config.baseUrl ?? env.OLLAMA_HOST ?? DEFAULT_HOST;
}

function buildRequest(request: ProviderRequest) {
  const { temperature, max_tokens, top_p, stop, seed, n: _n, num_ctx, ...extra } = request.params;
  const topLevel: Record<string, unknown> = {};
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(extra))
    (TOP_LEVEL.has(key) ? topLevel : options)[key] = value;
  Object.assign(options, { temperature, num_predict: max_tokens, top_p, stop, seed, num_ctx });
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  return {
    ...topLevel,
    model: request.model,
    stream: false as const,
    options,
    ...(request.responseSchema ? { format: request.responseSchema.schema } : {}),
    // Ollama takes OpenAI-shaped tools; it has no tool_choice.
    ...(request.tools && request.toolChoice !== 'none'
      ? {
          tools: request.tools.map((t) => ({
            type: 'function',
            function: { name: t.name, description: t.description ?? '', parameters: t.parameters },
          })),
        }
      : {}),
  };
}

type OllamaToolCall = { function: { name: string; arguments: unknown } };

/**
 * An LM provider over the official `ollama` SDK (`/api/chat`, `/api/generate` without streaming).
 * Ollama has no `n`: several completions are several requests, one after the other.
 */
export function createOllamaProvider(rawHost: string, apiKey: string | undefined): LmProvider {
  // Credentials in the host URL travel as a header, never in the URL (see splitUrlCredentials).
  const { url: host, authorization } = splitUrlCredentials(rawHost);
  const headers = authorization
    ? { Authorization: authorization }
    : apiKey
      ? { Authorization: `Bearer ${apiKey}` }
      : undefined;

  async function once(
    request: ProviderRequest,
    signal: AbortSignal,
  ): Promise<{ choice: ProviderChoice; promptTokens?: number; evalTokens?: number }> {
    let retryAfterMs: number | undefined;
    // A client per request: the SDK takes no signal for non-streamed calls, so it goes in
    // through fetch, which also lets us read Retry-After from error responses.
    const { Ollama } = await loadSdk();
    const client = new Ollama({
      host,
      ...(headers ? { headers } : {}),
      fetch: async (url, init) => {
        const res = await fetch(url, { ...init, signal });
        if (!res.ok) retryAfterMs = parseRetryAfter(res.headers);
        return res;
      },
    });
    try {
      const body = buildRequest(request);
      if (request.method === 'completion') {
        const { tools: _tools, ...generateBody } = body as typeof body & { tools?: unknown };
        const res = await client.generate({ ...generateBody, prompt: request.prompt });
        return {
          choice: { text: res.response ?? '' },
          promptTokens: res.prompt_eval_count,
          evalTokens: res.eval_count,
        };
      }
      const res = await client.chat({
        ...(body as Parameters<typeof client.chat>[0]),
        messages: request.messages,
        stream: false,
      });
      const calls = (res.message.tool_calls ?? []) as OllamaToolCall[];
      return {
        choice: {
          text: res.message.content,
          ...(calls.length > 0
            ? {
                toolCalls: calls.map((c, i) => ({
                  id: `call_${i}`,
                  name: c.function.name,
                  arguments: parseToolArguments(c.function.arguments),
                })),
              }
            : {}),
        },
        promptTokens: res.prompt_eval_count,
        evalTokens: res.eval_count,
      };
    } catch (error) {
      if (signal.aborted) throw error;
      const status = (error as { status_code?: unknown }).status_code;
      if (typeof status === 'number') {
        throw new OllamaFailure({
          retryable: isRetryableStatus(status),
          status,
          message: (error as Error).message,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        });
      }
      throw error;
    }
  }

  return {
    name: 'ollama',
    endpoint: host,
    async complete(request, signal) {
      const choices: ProviderChoice[] = [];
      let prompt = 0;
      let completion = 0;
      for (let i = 0; i < (request.params.n ?? 1); i++) {
        const res = await once(request, signal);
        choices.push(res.choice);
        prompt += res.promptTokens ?? estimateTokens(request.prompt);
        completion += res.evalTokens ?? estimateTokens(res.choice.text);
      }
      return { choices, usage: { prompt_tokens: prompt, completion_tokens: completion } };
    },
    describeError(error): RequestFailure {
      if (error instanceof OllamaFailure) return error.failure;
      // fetch rejects with a TypeError on connection failures (refused, reset, DNS).
      if (error instanceof TypeError) {
        const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
        return {
          retryable: true,
          unreachable: true,
          message: `cannot reach Ollama at ${host}: ${error.message}${cause}`,
        };
      }
      return { retryable: false, message: error instanceof Error ? error.message : String(error) };
    },
  };
}
