import type {
  BlockCallContext,
  BlockOutput,
  BlockRow,
  BlockV1,
  ChatMessage,
  LmCallOptions,
  LmRequestEvent,
} from '@dgt/core';
import { type ResolvedLmConfig, resolveDecoding } from '../config.js';
import { abortReason, ConcurrencyLimiter } from './limiter.js';
import type { LmProvider, ProviderRequest, ProviderResponse } from './provider.js';
import { backoffDelay, type RequestFailure, sleep } from './retry.js';

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

function toMessages(input: unknown): ChatMessage[] | undefined {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  const ok = input.every(
    (m) =>
      typeof m === 'object' && m !== null && ROLES.has(m.role) && typeof m.content === 'string',
  );
  return ok ? (input as ChatMessage[]) : undefined;
}

function parseCallOptions(
  options: Record<string, unknown> | undefined,
  block: string,
): LmCallOptions {
  const method = options?.method ?? 'chat_completion';
  if (method !== 'chat_completion' && method !== 'completion') {
    throw new TypeError(
      `LM block "${block}": method must be "chat_completion" or "completion", got ${String(method)}`,
    );
  }
  const schema = options?.responseSchema as LmCallOptions['responseSchema'];
  if (schema !== undefined && (typeof schema?.schema !== 'object' || schema.schema === null)) {
    throw new TypeError(`LM block "${block}": responseSchema must be { name, schema }`);
  }
  return {
    method,
    ...(schema
      ? { responseSchema: { name: schema.name || 'response', schema: schema.schema } }
      : {}),
  };
}

/** JSON.parse that also accepts a reply wrapped in a Markdown code fence; undefined if neither parses. */
function parseJsonReply(text: string): unknown {
  for (const candidate of [text, /```(?:json)?\s*([\s\S]*?)```/.exec(text)?.[1]]) {
    if (candidate === undefined) continue;
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next form
    }
  }
  return undefined;
}

/** A request that ran past the block's `timeout`: retried like a network error. */
class TimeoutFailure extends Error {}

/** Everything an LM block instance needs besides its provider. */
export type LmBlockSetup = {
  name: string;
  type: string;
  config: ResolvedLmConfig;
  provider: LmProvider;
};

/**
 * Builds an LM block instance over a provider: per-row requests run concurrently up to
 * `max_concurrency` (shared by every call of this block), each retried with backoff on 429, 5xx,
 * timeouts and network errors. Outputs are written onto the given rows; a request that still
 * fails is recorded in `row.error`, never thrown. The returned promise rejects only when the
 * call's signal aborts.
 */
export function createLmBlock({ name, type, config, provider }: LmBlockSetup): BlockV1 {
  const limiter = new ConcurrencyLimiter(config.maxConcurrency);
  const secret = config.apiKey;
  const scrub = (text: string) =>
    secret && secret.length >= 4 ? text.split(secret).join('***') : text;

  async function attempt(
    request: ProviderRequest,
    signal?: AbortSignal,
  ): Promise<ProviderResponse> {
    const timeout = new AbortController();
    const timer = setTimeout(
      () =>
        timeout.abort(
          new DOMException(`timed out after ${config.timeoutMs / 1000}s`, 'TimeoutError'),
        ),
      config.timeoutMs,
    );
    try {
      return await provider.complete(
        request,
        signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
      );
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (timeout.signal.aborted) {
        throw new TimeoutFailure(`request timed out after ${config.timeoutMs / 1000}s`);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  function describe(error: unknown): RequestFailure {
    if (error instanceof TimeoutFailure) return { retryable: true, message: error.message };
    return provider.describeError(error);
  }

  async function runRow(
    row: BlockRow,
    options: LmCallOptions,
    ctx: BlockCallContext,
  ): Promise<void> {
    for (const key of ['result', 'results', 'parsed', 'usage', 'error']) delete row[key];
    const messages = toMessages(row.input);
    if (!messages) {
      row.error = 'row has no valid input (a prompt string or chat messages with role and content)';
      return;
    }
    const gen =
      typeof row.gen_kwargs === 'object' && row.gen_kwargs !== null ? row.gen_kwargs : undefined;
    const request: ProviderRequest = {
      model: config.model,
      method: options.method ?? 'chat_completion',
      messages,
      prompt:
        typeof row.input === 'string' ? row.input : messages.map((m) => m.content).join('\n\n'),
      params: { ...config.params, ...resolveDecoding(gen as Record<string, unknown> | undefined) },
      ...(options.responseSchema ? { responseSchema: options.responseSchema } : {}),
    };
    const started = performance.now();
    let retries = 0;
    const event = (
      fields: Pick<LmRequestEvent, 'ok' | 'promptTokens' | 'completionTokens'> & { error?: string },
    ) =>
      ctx.emit({
        type: 'lm-request',
        block: name,
        provider: provider.name,
        model: config.model,
        ...(typeof row.task_name === 'string' ? { task: row.task_name } : {}),
        cached: false,
        durationMs: Math.round(performance.now() - started),
        retries,
        ...fields,
      });

    for (;;) {
      let failure: RequestFailure;
      try {
        const response = await limiter.run(() => attempt(request, ctx.signal), ctx.signal);
        row.result = response.texts[0] ?? '';
        if (request.params.n !== undefined && request.params.n > 1) row.results = response.texts;
        if (options.responseSchema) {
          const parsed = parseJsonReply(row.result as string);
          if (parsed !== undefined) row.parsed = parsed;
        }
        row.usage = response.usage;
        event({
          ok: true,
          promptTokens: response.usage.prompt_tokens,
          completionTokens: response.usage.completion_tokens,
        });
        return;
      } catch (error) {
        if (ctx.signal?.aborted) throw abortReason(ctx.signal);
        failure = describe(error);
      }
      if (!failure.retryable || retries >= config.maxRetries) {
        const status = failure.status !== undefined ? `HTTP ${failure.status}: ` : '';
        const after =
          retries > 0 ? ` (after ${retries} ${retries === 1 ? 'retry' : 'retries'})` : '';
        row.error = scrub(`${provider.name} request failed${after}: ${status}${failure.message}`);
        event({ ok: false, promptTokens: 0, completionTokens: 0, error: row.error as string });
        return;
      }
      await sleep(
        backoffDelay(retries, config.retryInitialDelayMs, failure.retryAfterMs),
        ctx.signal,
      );
      retries++;
    }
  }

  return {
    specificationVersion: 'v1',
    kind: 'block',
    role: 'lm',
    type,
    name,
    async call(rows, options, ctx): Promise<BlockOutput> {
      const callOptions = parseCallOptions(options, name);
      if (ctx.signal?.aborted) throw abortReason(ctx.signal);
      await Promise.all(rows.map((row) => runRow(row, callOptions, ctx)));
      return { rows };
    },
    async close() {
      await provider.close?.();
    },
  };
}
