import { setMaxListeners } from 'node:events';
import type {
  BlockCallContext,
  BlockInitContext,
  BlockOutput,
  BlockRow,
  BlockV1,
  ChatMessage,
  LmCallOptions,
  LmRequestEvent,
  LmUsage,
} from '@dgt/core';
import { canonicalJson, isDgtError } from '@dgt/core';
import { type ResolvedLmConfig, resolveDecoding } from '../config.js';
import { BATCH_PRICE_FACTOR } from './batch/batch-api.js';
import { createBlockBatching } from './batch/block-batching.js';
import { cacheKey, openRequestCache, type RequestCache, resolveCacheDir } from './cache.js';
import { type EndpointGate, joinEndpoint } from './endpoint.js';
import { checkJsonReply } from './json-schema.js';
import { abortReason, ConcurrencyLimiter, onAbort } from './limiter.js';
import { costOf, resolvePrice } from './pricing.js';
import type { LmProvider, ProviderRequest, ProviderResponse } from './provider.js';
import { openRedisCache } from './redis-cache.js';
import { createRequestRunner } from './request-runner.js';
import { joinSharedEndpoint } from './shared-endpoint.js';
import { normalizeToolChoice, normalizeTools } from './tools.js';

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
// Fields an LM block writes; cleared before each call so a reused row never shows stale output.
const OUTPUT_KEYS = [
  'result',
  'results',
  'parsed',
  'parse_error',
  'usage',
  'error',
  'tool_calls',
  'logprobs',
];

function toMessages(input: unknown): ChatMessage[] | undefined {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  const ok = input.every(
    (m) =>
      typeof m === 'object' && m !== null && ROLES.has(m.role) && typeof m.content === 'string',
  );
  return ok ? (input as ChatMessage[]) : undefined;
}

type CallOptions = LmCallOptions & { tools?: unknown; toolChoice?: unknown };

function parseCallOptions(options: Record<string, unknown> | undefined, block: string) {
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
    tools: options?.tools,
    toolChoice: options?.toolChoice ?? options?.tool_choice,
  } as CallOptions & { method: 'chat_completion' | 'completion' };
}

function isResponse(value: unknown): value is ProviderResponse {
  const v = value as ProviderResponse | undefined;
  return Array.isArray(v?.choices) && typeof v?.usage?.prompt_tokens === 'number';
}

/**
 * The signal that stops requests of a call from being sent (waiting for a slot, or between
 * retries): the run's hard stop or its graceful stop, whichever comes first.
 */
function waitSignalOf(ctx: BlockCallContext): { signal?: AbortSignal; release(): void } {
  const { signal, stopSignal } = ctx;
  if (!stopSignal || !signal) return { signal: stopSignal ?? signal, release: () => undefined };
  const controller = new AbortController();
  const unwatch = [signal, stopSignal].map((s) => onAbort(s, () => controller.abort(s.reason)));
  return {
    signal: controller.signal,
    release: () => {
      for (const stop of unwatch) stop();
    },
  };
}

const REPAIR_INSTRUCTION =
  'Answer again with only the corrected JSON value that matches the required schema, nothing else.';

/**
 * An LM block instance. `requestCache` is the request cache it opened (absent when its `cache`
 * policy is off or the cache is unavailable), for capabilities of the block that answer from the
 * same store (embeddings, see `withEmbeddings`); the block releases it when it closes.
 */
export type LmBlock = BlockV1 & { readonly requestCache?: RequestCache };

/** Everything an LM block instance needs besides its provider. */
export type LmBlockSetup = {
  name: string;
  type: string;
  config: ResolvedLmConfig;
  provider: LmProvider;
  /** Environment for `DGT_CACHE_DIR`, `XDG_CACHE_HOME`, `HOME` and `DGT_PRICES_FILE`. */
  env: Record<string, string | undefined>;
  /**
   * The block's `BlockInitContext.purpose`: with `check` (`dgt validate`) the request cache is
   * not opened, so validating creates no cache folder or file.
   */
  purpose?: BlockInitContext['purpose'];
  /**
   * The block's `BlockInitContext.sharedStateUrl` (the run's Redis): when set, the endpoint's
   * limits and 429 pauses, and the request cache, are shared through it with every other process
   * of the run, instead of kept in this process and the local SQLite file.
   */
  sharedStateUrl?: string;
};

/**
 * Builds an LM block instance over a provider. Per-row requests run concurrently through the
 * process-wide endpoint shared with every block talking to the same server and key (see
 * `joinEndpoint`), are answered from the persistent request cache when the block's `cache`
 * policy allows, and are retried on transient errors. Outputs are written onto the given rows:
 * `result`, `results` (n > 1), `parsed` (a response schema was asked and the reply is valid for
 * it, after at most one repair request), `tool_calls`, `logprobs`, `usage`. A request that still
 * fails is recorded in `row.error`, never thrown; the returned promise rejects only when the
 * call's signal aborts.
 */
export async function createLmBlock({
  name,
  type,
  config,
  provider,
  env,
  purpose,
  sharedStateUrl,
}: LmBlockSetup): Promise<LmBlock> {
  const shareState = sharedStateUrl !== undefined && purpose !== 'check';
  const price = resolvePrice(config.model, config.pricing, env);
  // Without its native SQLite module (an optional dependency that may fail to build) the cache
  // is off for the run, with a warning, rather than stopping the run.
  let cacheUnavailable: string | undefined;
  const cache: RequestCache | undefined =
    config.cache === 'off' || purpose === 'check'
      ? undefined
      : shareState
        ? await openRedisCache(sharedStateUrl)
        : await openRequestCache(resolveCacheDir(env)).catch((error: unknown) => {
            if (!isDgtError(error) || error.code !== 'MISSING_DEPENDENCY') throw error;
            cacheUnavailable = error.message;
            return undefined;
          });
  const limiter = new ConcurrencyLimiter(config.maxConcurrency);
  const shared = joinEndpoint(provider.name, provider.endpoint, config.apiKey, {
    maxConcurrency: config.maxConcurrency,
    ...(config.requestsPerMinute ? { requestsPerMinute: config.requestsPerMinute } : {}),
    ...(config.tokensPerMinute ? { tokensPerMinute: config.tokensPerMinute } : {}),
  });
  let gate: EndpointGate = shared.endpoint;
  let releaseGate: () => void = () => undefined;
  if (shareState) {
    try {
      // A slot of a crashed process is freed once its request would have timed out anyway.
      const joined = await joinSharedEndpoint(
        sharedStateUrl,
        shared.endpoint,
        config.timeoutMs + 60_000,
      );
      gate = joined.endpoint;
      releaseGate = joined.release;
    } catch (error) {
      shared.release();
      cache?.release();
      throw error;
    }
  }
  const execute = createRequestRunner(provider, config, limiter, gate);
  const readCache = config.cache === 'on' || config.cache === 'read';
  const writeCache = config.cache === 'on' || config.cache === 'refresh';
  // Batch mode (`batch: true`): requests go through the provider's Batch API, if it has one.
  const batchMode =
    purpose === 'check'
      ? undefined
      : createBlockBatching({
          name,
          provider,
          config,
          env,
          price,
          store: (key, value) => {
            if (writeCache)
              cache?.put(key, { provider: provider.name, model: config.model, value });
          },
          online: execute,
        });
  const batching = batchMode && 'batching' in batchMode ? batchMode.batching : undefined;
  let batchNotice = batchMode && 'notice' in batchMode ? batchMode.notice : undefined;
  // How often each canonical request was made: the k-th identical request is sample k, so
  // repeated prompts get distinct answers and a rerun finds each one again. Counted within the
  // call's scope (one attempt of a task, whose id a resumed run never reuses once its records
  // were kept), else by this block instance. Scoped counts go when their scope does.
  const samples = new Map<string, number>();
  const scopedSamples = new WeakMap<object, Map<string, number>>();
  const samplesOf = (scope: BlockCallContext['scope']): Map<string, number> => {
    if (!scope) return samples;
    let counts = scopedSamples.get(scope);
    if (!counts) {
      counts = new Map();
      scopedSamples.set(scope, counts);
    }
    return counts;
  };
  const secret = config.apiKey;
  const scrub = (text: string) =>
    secret && secret.length >= 4 ? text.split(secret).join('***') : text;

  /** One request, from the cache or the server; emits its event. `undefined` when it failed (row.error set). */
  async function send(
    request: ProviderRequest,
    row: BlockRow,
    ctx: BlockCallContext,
    waitSignal: AbortSignal | undefined,
  ): Promise<ProviderResponse | undefined> {
    const started = performance.now();
    const input = request.method === 'completion' ? request.prompt : request.messages;
    let key: string | undefined;
    const event = (
      fields: Pick<LmRequestEvent, 'ok' | 'cached' | 'retries'> & {
        batch?: boolean;
        usage?: LmUsage;
        costUsd?: number;
        error?: string;
        response?: ProviderResponse;
      },
    ) => {
      const { usage, response, ...rest } = fields;
      const common = {
        block: name,
        provider: provider.name,
        model: config.model,
        durationMs: Math.round(performance.now() - started),
        promptTokens: usage?.prompt_tokens ?? 0,
        completionTokens: usage?.completion_tokens ?? 0,
        ...rest,
      };
      ctx.emit({
        type: 'lm-request',
        ...common,
        ...(typeof row.task_name === 'string' ? { task: row.task_name } : {}),
      });
      // Provenance of the row: which request made it, and what was asked and answered.
      ctx.note?.(row, {
        kind: 'lm-request',
        ...common,
        ...(key ? { cacheKey: key } : {}),
        requestHash: cacheKey(canonical),
        prompt: input,
        ...(response ? { response: response.choices[0]?.text ?? '' } : {}),
      });
    };

    const canonical = canonicalJson({
      provider: provider.name,
      endpoint: provider.endpoint,
      model: request.model,
      method: request.method,
      input,
      params: request.params,
      schema: request.responseSchema?.schema,
      tools: request.tools,
      toolChoice: request.toolChoice,
    });
    // Batch mode names each request by its key even without a cache: the key is its custom_id.
    if (cache || batching) {
      const counts = samplesOf(ctx.scope);
      const sample = counts.get(canonical) ?? 0;
      counts.set(canonical, sample + 1);
      key = cacheKey(
        ctx.scope ? `${canonical}#${ctx.scope.id}#${sample}` : `${canonical}#${sample}`,
      );
      if (cache && readCache) {
        const hit = await cache.get(key);
        if (isResponse(hit)) {
          event({
            ok: true,
            cached: true,
            retries: 0,
            usage: hit.usage,
            costUsd: 0,
            response: hit,
          });
          return hit;
        }
      }
    }

    const task = typeof row.task_name === 'string' ? row.task_name : undefined;
    const outcome =
      batching && key
        ? await batching.execute(key, request, task, ctx)
        : { ...(await execute(request, ctx.signal, waitSignal)), batched: false };
    const batched: { batch?: boolean } = outcome.batched ? { batch: true } : {};
    if (!outcome.ok) {
      const { failure, retries } = outcome;
      const status = failure.status !== undefined ? `HTTP ${failure.status}: ` : '';
      const after = retries > 0 ? ` (after ${retries} ${retries === 1 ? 'retry' : 'retries'})` : '';
      const error = scrub(`${provider.name} request failed${after}: ${status}${failure.message}`);
      row.error = error;
      event({ ok: false, cached: false, retries, error, ...batched });
      return undefined;
    }
    const { response, retries } = outcome;
    if (key && writeCache) {
      cache?.put(key, { provider: provider.name, model: config.model, value: response });
    }
    const { prompt_tokens, completion_tokens } = response.usage;
    // Batch answers are priced at the batch rate.
    const rate = outcome.batched ? BATCH_PRICE_FACTOR : 1;
    event({
      ok: true,
      cached: false,
      retries,
      usage: response.usage,
      response,
      ...batched,
      ...(price ? { costUsd: costOf(price, prompt_tokens, completion_tokens) * rate } : {}),
    });
    return response;
  }

  async function runRow(
    row: BlockRow,
    options: ReturnType<typeof parseCallOptions>,
    ctx: BlockCallContext,
    waitSignal: AbortSignal | undefined,
  ): Promise<void> {
    for (const key of OUTPUT_KEYS) delete row[key];
    const messages = toMessages(row.input);
    if (!messages) {
      row.error = 'row has no valid input (a prompt string or chat messages with role and content)';
      return;
    }
    const gen =
      typeof row.gen_kwargs === 'object' && row.gen_kwargs !== null
        ? (row.gen_kwargs as Record<string, unknown>)
        : undefined;
    const {
      tools: paramTools,
      tool_choice: paramChoice,
      ...params
    } = {
      ...config.params,
      ...resolveDecoding(gen),
    };
    const tools = normalizeTools(options.tools ?? paramTools, name);
    const toolChoice = normalizeToolChoice(options.toolChoice ?? paramChoice, name);
    const { input: _input, gen_kwargs: _gen, ...known } = row;
    const request: ProviderRequest = {
      model: config.model,
      row: known,
      method: options.method,
      messages,
      prompt:
        typeof row.input === 'string' ? row.input : messages.map((m) => m.content).join('\n\n'),
      params,
      ...(options.responseSchema ? { responseSchema: options.responseSchema } : {}),
      ...(tools ? { tools } : {}),
      ...(toolChoice ? { toolChoice } : {}),
    };

    let response = await send(request, row, ctx, waitSignal);
    if (!response) return;
    const usage = { ...response.usage };
    const schema = options.responseSchema?.schema;
    let check: ReturnType<typeof checkJsonReply> | undefined;
    if (schema && !response.choices[0]?.toolCalls?.length) {
      check = checkJsonReply(response.choices[0]?.text ?? '', schema);
      if (!check.ok) {
        // One repair: show the model its reply and what is wrong with it.
        const reply = response.choices[0]?.text ?? '';
        const complaint = `Your reply is not valid: ${check.reason}. ${REPAIR_INSTRUCTION}`;
        const repair: ProviderRequest = {
          ...request,
          params: { ...params, n: 1 },
          messages: [
            ...messages,
            { role: 'assistant', content: reply },
            { role: 'user', content: complaint },
          ],
          prompt: `${request.prompt}${reply}\n\n${complaint}\n`,
        };
        const repaired = await send(repair, row, ctx, waitSignal);
        if (repaired) {
          delete row.error;
          usage.prompt_tokens += repaired.usage.prompt_tokens;
          usage.completion_tokens += repaired.usage.completion_tokens;
          response = { ...response, choices: [repaired.choices[0] ?? { text: '' }] };
          check = checkJsonReply(response.choices[0]?.text ?? '', schema);
        } else {
          // The repair request failed: keep the first reply, which is still an answer.
          delete row.error;
        }
      }
    }

    const first = response.choices[0] ?? { text: '' };
    row.result = first.text;
    if ((request.params.n ?? 1) > 1) row.results = response.choices.map((c) => c.text);
    if (first.toolCalls?.length) row.tool_calls = first.toolCalls;
    if (first.logprobs) row.logprobs = first.logprobs;
    if (check?.ok) row.parsed = check.value;
    else if (check) row.parse_error = check.reason;
    row.usage = usage;
  }

  return {
    specificationVersion: 'v1',
    kind: 'block',
    role: 'lm',
    type,
    name,
    async call(rows, options, ctx): Promise<BlockOutput> {
      if (cacheUnavailable) {
        ctx.emit({
          type: 'warning',
          message: `block ${name}: the LM request cache is off for this run. ${cacheUnavailable}`,
        });
        cacheUnavailable = undefined;
      }
      if (batchNotice) {
        ctx.emit({ type: 'warning', message: batchNotice });
        batchNotice = undefined;
      }
      const callOptions = parseCallOptions(options, name);
      if (ctx.signal?.aborted) throw abortReason(ctx.signal);
      // Every waiting request listens on the run's signal; hundreds at once are expected.
      if (ctx.signal) setMaxListeners(0, ctx.signal);
      const waiting = waitSignalOf(ctx);
      try {
        // Settle every row before throwing: requests under way when the run stops finish (and
        // fill the cache) rather than run on after the run has closed its stores.
        const settled = await Promise.allSettled(
          rows.map((row) => runRow(row, callOptions, ctx, waiting.signal)),
        );
        const failed = settled.find((outcome) => outcome.status === 'rejected');
        if (failed) throw failed.reason;
      } finally {
        waiting.release();
      }
      return { rows };
    },
    capacity() {
      // In batch mode requests gather into batch files and hold no server slot.
      if (batching) return { free: batching.room(), queued: 0 };
      const server = shared.endpoint.capacity;
      return {
        free: Math.min(limiter.free, server.free),
        queued: limiter.queued + server.queued,
        limit: limiter.limit,
      };
    },
    async close() {
      releaseGate();
      await batching?.close();
      shared.release();
      cache?.release();
      await provider.close?.();
    },
    ...(cache ? { requestCache: cache } : {}),
  };
}
