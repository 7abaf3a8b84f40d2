import { randomUUID } from 'node:crypto';
import type { LmBatchEvent } from '@dgt/core';
import type { ProviderRequest, ProviderResponse } from '../provider.js';
import type { Executed } from '../request-runner.js';
import type { BatchApi, BatchItemResult } from './batch-api.js';
import { BatchBudget } from './batch-budget.js';
import { type Clock, systemClock } from './clock.js';
import type { BatchJournal, Intent, PendingBatch } from './journal.js';
import type { BatchSettings } from './settings.js';

/** How a request sent through the batch engine ended; `batched` when a batch answered it. */
export type BatchOutcome = Executed & { batched: boolean };

/** What the engine reports about its batches: an `lm-batch` event without what the block adds. */
export type BatchNotice = Omit<LmBatchEvent, 'type' | 'block' | 'provider' | 'model'>;

/** Everything the batch engine needs from its block. */
export type BatchEngineOptions = {
  api: BatchApi;
  journal: BatchJournal;
  settings: BatchSettings;
  clock?: Clock;
  /** Sends one request online (with the block's limits and retries). */
  online(request: ProviderRequest, signal?: AbortSignal): Promise<Executed>;
  /** Stores an answer (the request cache), also for re-attached requests no one asked for yet. */
  store(key: string, response: ProviderResponse): void;
  /** The most a request may cost at the batch rate, in US dollars, for the budget (`undefined`: no price). */
  worstCost?(request: ProviderRequest): number | undefined;
  /** The cost of an answer at the batch rate. */
  costOf?(response: ProviderResponse): number | undefined;
  notify(notice: BatchNotice): void;
};

type Waiter = {
  request: ProviderRequest;
  task: string | undefined;
  signal: AbortSignal | undefined;
  settle(outcome: BatchOutcome): void;
  fail(error: unknown): void;
};

type Queued = { key: string; line: string; bytes: number; tries: number };

// A request goes in at most this many batches; then it is sent online.
const MAX_BATCH_TRIES = 2;

/** A request for reading answers of re-attached batches, whose requests are not known yet. */
const STUB: ProviderRequest = {
  model: '',
  method: 'chat_completion',
  messages: [],
  prompt: '',
  params: {},
};

/**
 * Sends an LM block's requests through its provider's Batch API. Requests are accepted as they
 * come, whatever the runner's admission policy: they are gathered and sent as one batch when
 * the provider's limits (requests, bytes) are reached — further requests start the next batch —
 * or when no new request came for the gather window. Each caller's promise resolves when its
 * answer is collected, so replies reach the builders as if they had come online.
 *
 * Each request is named by its cache key (the batch `custom_id`). Submitted batches are recorded
 * in the journal before anything else; on start the engine re-attaches to the journal's pending
 * batches, so a request re-issued after a crash waits for the batch that already carries it and
 * is never submitted twice. Answers that finished while no one was running are stored as soon
 * as the batch is collected.
 *
 * Failures: a request that expired, was cancelled, or failed transiently goes into the next
 * batch (at most twice), then online; a batch older than `deadlineMs` is cancelled and what it
 * had not finished is sent online; a batch the provider refuses to create is sent online.
 */
export class BatchEngine {
  private readonly clock: Clock;
  private readonly waiters = new Map<string, Waiter[]>();
  private queue: Queued[] = [];
  private queuedBytes = 0;
  private firstQueuedAt = 0;
  private gatherTimer: ReturnType<typeof setTimeout> | undefined;
  /** Batch id of each key that is in a pending batch. */
  private readonly inBatch = new Map<string, string>();
  private readonly tries = new Map<string, number>();
  /** Answers of re-attached batches that no caller has asked for yet. */
  private readonly unclaimed = new Map<string, ProviderResponse>();
  private readonly budget: BatchBudget;
  private readonly stop = new AbortController();
  private readonly polls = new Set<Promise<void>>();
  /** Batch creations under way (awaited by `close`). */
  private readonly submitting = new Set<Promise<string>>();
  private pendingBatches = 0;
  private completedBatches = 0;
  private readonly limits: { maxRequests: number; maxBytes: number };
  /** Settles once unconfirmed submissions of earlier runs have been looked for. */
  private readonly recovered: Promise<void>;

  constructor(private readonly options: BatchEngineOptions) {
    this.clock = options.clock ?? systemClock;
    this.budget = new BatchBudget(options.worstCost ? options.settings.maxCostUsd : undefined);
    const { api, settings } = options;
    this.limits = {
      maxRequests: Math.min(api.limits.maxRequests, settings.maxRequests ?? Infinity),
      maxBytes: Math.min(api.limits.maxBytes, settings.maxBytes ?? Infinity),
    };
    const pending = options.journal.pending();
    for (const batch of pending) this.reattach(batch);
    this.recovered = this.recover(
      options.journal.unconfirmed(),
      new Set(pending.map((b) => b.batchId)),
    );
  }

  /**
   * Looks for the batches of submissions an earlier run began but never recorded (it died
   * between the provider creating the batch and the journal line): found ones are re-attached,
   * the others were never created. Nothing is submitted until this is done.
   */
  private async recover(intents: Intent[], known: Set<string>): Promise<void> {
    const { api, journal } = this.options;
    for (const intent of intents) {
      let found: string | undefined;
      try {
        found = await api.find?.(
          intent.intent,
          { at: intent.at, count: intent.keys.length, known },
          this.stop.signal,
        );
      } catch {
        continue; // not known either way: looked for again by the next run
      }
      if (!found) {
        journal.abandoned(intent.intent);
        continue;
      }
      known.add(found);
      const batch = { batchId: found, keys: intent.keys, submittedAt: intent.at };
      journal.submitted(batch, intent.intent);
      this.reattach(batch);
    }
  }

  /** Batches not yet collected. */
  get pending(): number {
    return this.pendingBatches;
  }

  /**
   * Requests the batch being gathered can still take before it is full. A batch holds no
   * server slots, so this, not `max_concurrency`, is what the runner may keep admitting.
   */
  get room(): number {
    return Math.max(1, this.limits.maxRequests - this.queue.length);
  }

  /** Sends one request through a batch; resolves with its answer (or failure). */
  execute(
    key: string,
    request: ProviderRequest,
    context: { signal?: AbortSignal; task?: string } = {},
  ): Promise<BatchOutcome> {
    const { signal, task } = context;
    const ready = this.unclaimed.get(key);
    if (ready) {
      this.unclaimed.delete(key);
      return Promise.resolve({ ok: true, response: ready, retries: 0, batched: true });
    }
    if (this.options.api.unsupported?.(request)) return this.sendOnline(request, signal);
    return new Promise<BatchOutcome>((resolve, reject) => {
      const waiter: Waiter = {
        request,
        task,
        signal,
        settle: (outcome) => {
          unwatch();
          resolve(outcome);
        },
        fail: (error) => {
          unwatch();
          reject(error);
        },
      };
      const onAbort = () => {
        const list = this.waiters.get(key)?.filter((w) => w !== waiter) ?? [];
        if (list.length > 0) this.waiters.set(key, list);
        else this.waiters.delete(key);
        reject(signal?.reason);
      };
      const unwatch = () => signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const list = this.waiters.get(key);
      if (list) {
        // Already queued or in a pending batch (e.g. re-attached after a crash): wait for it.
        list.push(waiter);
        return;
      }
      this.waiters.set(key, [waiter]);
      if (this.inBatch.has(key)) return;
      this.enqueue(key, request);
    });
  }

  /**
   * Stops gathering and polling; pending batches stay in the journal for the next run. Resolves
   * once submissions under way have been created and recorded.
   */
  async close(): Promise<void> {
    this.stop.abort();
    clearTimeout(this.gatherTimer);
    this.queue = [];
    await Promise.allSettled([...this.submitting]);
  }

  private enqueue(key: string, request: ProviderRequest): void {
    const line = this.options.api.encode({ customId: key, request });
    const bytes = Buffer.byteLength(line) + 1;
    if (bytes > this.limits.maxBytes) {
      // Too large for any batch: it can only go online.
      void this.onlineFor(key);
      return;
    }
    if (this.queuedBytes + bytes > this.limits.maxBytes) this.flush();
    if (this.queue.length === 0) this.firstQueuedAt = this.clock.now();
    this.queue.push({ key, line, bytes, tries: this.tries.get(key) ?? 0 });
    this.queuedBytes += bytes;
    if (this.queue.length >= this.limits.maxRequests) {
      this.flush();
      return;
    }
    clearTimeout(this.gatherTimer);
    const { gatherMs, maxGatherMs } = this.options.settings;
    const wait = Math.max(
      0,
      Math.min(gatherMs, this.firstQueuedAt + maxGatherMs - this.clock.now()),
    );
    this.gatherTimer = setTimeout(() => this.flush(), wait);
  }

  /** Sends everything gathered as one batch (the queue never exceeds one batch's limits). */
  private flush(): void {
    clearTimeout(this.gatherTimer);
    // Requests whose callers have gone (the run stopped) are not paid for.
    const chunk = this.queue.filter((q) => this.waiters.has(q.key));
    this.queue = [];
    this.queuedBytes = 0;
    if (chunk.length === 0 || this.stop.signal.aborted) return;
    const work = this.submit(chunk);
    this.polls.add(work);
    void work.finally(() => this.polls.delete(work));
  }

  /** The first waiter's task and the worst case of its request. */
  private charge(key: string): { task: string; cost: number | undefined } {
    const w = this.waiters.get(key)?.[0];
    return { task: w?.task ?? '', cost: w ? this.options.worstCost?.(w.request) : undefined };
  }

  private async submit(gathered: Queued[]): Promise<void> {
    await this.recovered;
    // A request found in a recovered batch waits for it instead.
    const all = gathered.filter((q) => !this.inBatch.has(q.key));
    const refusedTasks = this.budget.overBudget(all.map((q) => this.charge(q.key)));
    const chunk: Queued[] = [];
    for (const q of all) {
      const task = this.waiters.get(q.key)?.[0]?.task ?? '';
      if (!refusedTasks.has(task)) {
        chunk.push(q);
        continue;
      }
      this.settleAll(q.key, {
        ok: false,
        retries: 0,
        batched: false,
        failure: {
          retryable: false,
          message: `not submitted in a batch: its worst-case cost could take task ${task || '(unnamed)'} past the budget of $${this.options.settings.maxCostUsd} (max_cost_usd)`,
        },
      });
    }
    if (refusedTasks.size > 0) {
      this.notify({ batchId: '', state: 'refused', requests: all.length - chunk.length });
    }
    if (chunk.length === 0) return;

    const tag = randomUUID();
    const keys = chunk.map((q) => q.key);
    let batchId: string;
    try {
      this.options.journal.intent({ intent: tag, keys, at: this.clock.now() });
      // Not aborted by close(): a submission under way completes and is recorded.
      const creating = this.options.api.submit(
        chunk.map((q) => q.line),
        tag,
      );
      this.submitting.add(creating);
      void creating.catch(() => undefined).finally(() => this.submitting.delete(creating));
      batchId = await creating;
    } catch (error) {
      // The provider would not take the batch (or cannot be reached): the requests go online,
      // where the block's retries and limits apply.
      this.notify({
        batchId: '',
        state: 'submit-failed',
        requests: chunk.length,
        message: error instanceof Error ? error.message : String(error),
      });
      for (const q of chunk) void this.onlineFor(q.key);
      return;
    }
    const batch: PendingBatch = { batchId, keys, submittedAt: this.clock.now() };
    // Durable first: a crash from here on re-attaches instead of paying again.
    try {
      this.options.journal.submitted(batch, tag);
    } catch (error) {
      // The batch exists; this run still follows it, but a crash would lose track of it until
      // the next run finds it by its tag.
      this.notify({
        batchId,
        state: 'journal-failed',
        requests: keys.length,
        message: error instanceof Error ? error.message : String(error),
      });
    }
    for (const q of chunk) {
      this.inBatch.set(q.key, batchId);
      this.tries.set(q.key, q.tries + 1);
      const { task, cost } = this.charge(q.key);
      this.budget.submitted(q.key, task, cost);
    }
    this.pendingBatches++;
    this.notify({ batchId, state: 'submitted', requests: chunk.length });
    await this.follow(batch);
  }

  private reattach(batch: PendingBatch): void {
    for (const key of batch.keys) this.inBatch.set(key, batch.batchId);
    this.pendingBatches++;
    this.notify({ batchId: batch.batchId, state: 're-attached', requests: batch.keys.length });
    const work = this.follow(batch);
    this.polls.add(work);
    void work.finally(() => this.polls.delete(work));
  }

  /** Polls a batch with growing waits until it ends (cancelling it at the deadline), then collects it. */
  private async follow(batch: PendingBatch): Promise<void> {
    const { api, settings } = this.options;
    const signal = this.stop.signal;
    let wait = settings.pollMs;
    let cancelled = false;
    let status = '';
    // Cancel a little before the deadline, so the online requests can finish by it.
    const cancelAt =
      settings.deadlineMs === undefined
        ? Infinity
        : settings.deadlineMs - Math.min(settings.deadlineMs * 0.05, 600_000);
    for (;;) {
      const age = this.clock.now() - batch.submittedAt;
      if (!cancelled && age >= cancelAt) {
        cancelled = true;
        this.notify({ batchId: batch.batchId, state: 'cancelling', requests: batch.keys.length });
        await api.cancel(batch.batchId, signal).catch(() => undefined);
      }
      const untilDeadline = cancelled ? Infinity : cancelAt - age;
      await this.clock.sleep(Math.max(1, Math.min(wait, untilDeadline)), signal);
      if (signal.aborted) return;
      wait = Math.min(wait * 1.5, settings.maxPollMs);
      try {
        const state = await api.status(batch.batchId, signal);
        status = state.status;
        if (state.ended) break;
      } catch (error) {
        if (signal.aborted) return;
        if ((error as { status?: unknown }).status === 404) {
          // The provider no longer knows it (another account, or deleted): its requests are
          // treated as never run.
          status = 'not found';
          break;
        }
        // A failed status check is retried at the next poll.
      }
    }
    await this.collect(batch, status, cancelled);
  }

  private async collect(batch: PendingBatch, status: string, cancelled: boolean): Promise<void> {
    const requests = new Map(
      batch.keys.map((key) => [key, this.waiters.get(key)?.[0]?.request ?? STUB] as const),
    );
    let results: BatchItemResult[] = [];
    if (status !== 'not found') {
      for (;;) {
        try {
          results = await this.options.api.results(batch.batchId, requests, this.stop.signal);
          break;
        } catch {
          if (this.stop.signal.aborted) return;
          await this.clock.sleep(this.options.settings.pollMs, this.stop.signal);
        }
      }
    }
    const byKey = new Map(results.map((r) => [r.customId, r]));
    let succeeded = 0;
    for (const key of batch.keys) {
      this.inBatch.delete(key);
      const result: BatchItemResult = byKey.get(key) ?? {
        customId: key,
        ok: false,
        kind: 'cancelled',
        failure: { retryable: true, message: `batch ${batch.batchId} ${status}` },
      };
      if (result.ok) succeeded++;
      this.resolveKey(key, result, cancelled);
    }
    // Only now, with every answer stored or handed on, is the batch done with.
    this.options.journal.collected(batch.batchId, status);
    this.pendingBatches--;
    this.completedBatches++;
    this.notify({
      batchId: batch.batchId,
      state: 'ended',
      status,
      requests: batch.keys.length,
      succeeded,
      failed: batch.keys.length - succeeded,
      waitedMs: this.clock.now() - batch.submittedAt,
    });
  }

  private resolveKey(key: string, result: BatchItemResult, pastDeadline: boolean): void {
    const waiting = this.waiters.get(key);
    this.budget.collected(
      key,
      result.ok && waiting
        ? { task: waiting[0]?.task ?? '', cost: this.options.costOf?.(result.response) ?? 0 }
        : undefined,
    );
    if (result.ok) {
      this.options.store(key, result.response);
      if (!waiting) {
        this.unclaimed.set(key, result.response);
        return;
      }
      this.settleAll(key, { ok: true, response: result.response, retries: 0, batched: true });
      return;
    }
    // No one asked yet (a re-attached batch): a later request for it is batched afresh.
    if (!waiting) return;
    const again = result.kind !== 'error' || result.failure.retryable;
    if (!again) {
      this.settleAll(key, { ok: false, failure: result.failure, retries: 0, batched: true });
      return;
    }
    const tries = this.tries.get(key) ?? 0;
    const request = waiting[0]?.request;
    if (pastDeadline || tries >= MAX_BATCH_TRIES || !request) void this.onlineFor(key);
    else this.enqueue(key, request);
  }

  private settleAll(key: string, outcome: BatchOutcome): void {
    const list = this.waiters.get(key) ?? [];
    this.waiters.delete(key);
    for (const w of list) w.settle(outcome);
  }

  private async sendOnline(request: ProviderRequest, signal?: AbortSignal): Promise<BatchOutcome> {
    return { ...(await this.options.online(request, signal)), batched: false };
  }

  /** Sends a key's request online and hands the outcome to everyone waiting for it. */
  private async onlineFor(key: string): Promise<void> {
    const first = this.waiters.get(key)?.[0];
    if (!first) return;
    try {
      this.settleAll(key, await this.sendOnline(first.request, first.signal));
    } catch (error) {
      const list = this.waiters.get(key) ?? [];
      this.waiters.delete(key);
      for (const w of list) w.fail(error);
    }
  }

  private notify(notice: Omit<BatchNotice, 'pending' | 'completed'>): void {
    this.options.notify({
      ...notice,
      pending: this.pendingBatches,
      completed: this.completedBatches,
    });
  }
}
