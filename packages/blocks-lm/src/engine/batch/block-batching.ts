import type { BlockCallContext, BlockCallEvent } from '@dgt/core';
import type { ModelPrice, ResolvedLmConfig } from '../../config.js';
import { resolveCacheDir } from '../cache.js';
import { costOf } from '../pricing.js';
import type { LmProvider, ProviderRequest, ProviderResponse } from '../provider.js';
import type { Executed } from '../request-runner.js';
import { BATCH_PRICE_FACTOR } from './batch-api.js';
import { BatchEngine, type BatchOutcome } from './batch-engine.js';
import type { Clock } from './clock.js';
import { openBatchJournal } from './journal.js';

/** Batch mode of one LM block: the batch engine wired to the block's cache, prices and events. */
export type BlockBatching = {
  execute(
    key: string,
    request: ProviderRequest,
    task: string | undefined,
    ctx: BlockCallContext,
  ): Promise<BatchOutcome>;
  close(): Promise<void>;
  /** Requests the batch being gathered can still take (see `BatchEngine.room`). */
  room(): number;
};

/** Setup of {@link createBlockBatching}. */
export type BlockBatchingSetup = {
  name: string;
  provider: LmProvider;
  config: ResolvedLmConfig;
  env: Record<string, string | undefined>;
  price: ModelPrice | undefined;
  /** Stores an answer in the request cache (a no-op when the cache is off or read-only). */
  store(key: string, response: ProviderResponse): void;
  online(request: ProviderRequest, signal?: AbortSignal): Promise<Executed>;
  clock?: Clock;
};

/** Rough prompt tokens of a request: 4 characters a token. */
function promptTokens(request: ProviderRequest): number {
  const chars =
    request.method === 'completion'
      ? request.prompt.length
      : request.messages.reduce((sum, m) => sum + m.content.length, 0);
  return Math.ceil(chars / 4);
}

/**
 * Sets up batch mode for a block whose config asks for it, or explains why it runs online:
 * returns the notice to show when the provider has no Batch API.
 */
export function createBlockBatching(
  setup: BlockBatchingSetup,
): { batching: BlockBatching } | { notice: string } | undefined {
  const { name, provider, config, price } = setup;
  const settings = config.batch;
  if (!settings) return undefined;
  const api = provider.batch;
  if (!api) {
    return {
      notice: `block ${name}: ${provider.name} has no Batch API; its requests run online at the normal price.`,
    };
  }
  let emit: ((event: BlockCallEvent) => void) | undefined;
  // Events of batches re-attached before the first call wait for a context to report through.
  const early: BlockCallEvent[] = [];
  const batchPrice = (prompt: number, completion: number) =>
    price ? costOf(price, prompt, completion) * BATCH_PRICE_FACTOR : undefined;
  const engine = new BatchEngine({
    api,
    settings,
    journal: openBatchJournal(resolveCacheDir(setup.env), provider.name, provider.endpoint),
    ...(setup.clock ? { clock: setup.clock } : {}),
    online: setup.online,
    store: setup.store,
    worstCost: (request) =>
      batchPrice(
        promptTokens(request),
        (request.params.max_tokens ?? 1024) * (request.params.n ?? 1),
      ),
    costOf: (response) =>
      batchPrice(response.usage.prompt_tokens, response.usage.completion_tokens),
    notify: (notice) => {
      const event: BlockCallEvent = {
        type: 'lm-batch',
        block: name,
        provider: provider.name,
        model: config.model,
        ...notice,
      };
      if (emit) emit(event);
      else early.push(event);
    },
  });
  return {
    batching: {
      execute(key, request, task, ctx) {
        // Batch events go to the run through the latest call's context.
        emit = (event) => ctx.emit(event);
        for (const event of early.splice(0)) emit(event);
        return engine.execute(key, request, {
          ...(ctx.signal ? { signal: ctx.signal } : {}),
          ...(task !== undefined ? { task } : {}),
        });
      },
      close: () => engine.close(),
      room: () => engine.room,
    },
  };
}
