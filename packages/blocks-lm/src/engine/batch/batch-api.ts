import type { ProviderRequest, ProviderResponse } from '../provider.js';
import type { RequestFailure } from '../retry.js';

/** Batch APIs price requests at this fraction of the online price (OpenAI, Azure global batch, Anthropic). */
export const BATCH_PRICE_FACTOR = 0.5;

/** The first-party block types whose provider has a Batch API. */
export const BATCH_BLOCK_TYPES: readonly string[] = ['openai', 'azure-openai', 'anthropic'];

/** What one batch may hold: requests, and bytes of its input. */
export type BatchLimits = { maxRequests: number; maxBytes: number };

/** One request of a batch, named by its `custom_id` (the request's cache key). */
export type BatchItem = { customId: string; request: ProviderRequest };

/** How a batch stands at the provider. */
export type BatchStatus = {
  /** The batch will change no more: its results can be read. */
  ended: boolean;
  /** The provider's own word (`in_progress`, `completed`, `expired`, `ended`, …). */
  status: string;
};

/**
 * How one request of an ended batch came out. `expired`/`cancelled`: the provider did not get to
 * it (worth sending again); `error`: it ran and failed (`failure.retryable` says whether trying
 * again may help).
 */
export type BatchItemResult =
  | { customId: string; ok: true; response: ProviderResponse }
  | {
      customId: string;
      ok: false;
      kind: 'error' | 'expired' | 'cancelled';
      failure: RequestFailure;
    };

/**
 * A provider's Batch API, as the batch engine uses it. A provider that has one sets
 * `LmProvider.batch`; the engine gathers requests, calls `submit` with their encoded lines, polls
 * `status` and reads `results`.
 */
export type BatchApi = {
  /** The provider's limits per batch. */
  readonly limits: BatchLimits;
  /** Why this request cannot go in a batch (it is then sent online), or `undefined`. */
  unsupported?(request: ProviderRequest): string | undefined;
  /** The request as one line of the batch input (its size counts against `maxBytes`). */
  encode(item: BatchItem): string;
  /**
   * Creates a batch of these encoded lines; resolves to the provider's batch id. `tag` names the
   * submission (written to the journal first) so that {@link BatchApi.find} can find the batch
   * if the process dies before its id is recorded.
   */
  submit(lines: string[], tag: string, signal?: AbortSignal): Promise<string>;
  /**
   * The id of the batch created by the submission `tag` (begun at `at`, carrying `count`
   * requests), if the provider has one; batch ids in `known` are not candidates. A batch wrongly
   * matched costs only time: its answers are matched by custom id, so none would be taken.
   */
  find?(
    tag: string,
    hint: { at: number; count: number; known: ReadonlySet<string> },
    signal?: AbortSignal,
  ): Promise<string | undefined>;
  status(batchId: string, signal?: AbortSignal): Promise<BatchStatus>;
  /** The results of an ended batch; `requests` (by custom id) help read replies without usage. */
  results(
    batchId: string,
    requests: ReadonlyMap<string, ProviderRequest>,
    signal?: AbortSignal,
  ): Promise<BatchItemResult[]>;
  /** Asks the provider to stop the batch; results of requests already done stay readable. */
  cancel(batchId: string, signal?: AbortSignal): Promise<void>;
};
