import { randomBytes } from 'node:crypto';
import type { RouteHost } from './server.js';
import type { FakeBatchRecord, FakeBatchResult } from './types.js';

/** A fresh id with the provider's prefix, e.g. `batch_6f0c…`. */
export function fakeId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

/** Registers a new batch on the server; it completes after the configured delay. */
export function createBatch(
  host: RouteHost,
  api: FakeBatchRecord['api'],
  id: string,
  items: FakeBatchRecord['items'],
): FakeBatchRecord {
  const batch: FakeBatchRecord = {
    id,
    api,
    customIds: items.map((i) => i.customId),
    items,
    createdAt: Date.now(),
    readyAt: 0,
  };
  const delay = host.options.batch?.delayMs ?? 0;
  batch.readyAt = batch.createdAt + (typeof delay === 'function' ? delay(batch) : delay);
  host.batches.push(batch);
  return batch;
}

/** Ends a batch that failed validation (nothing in it runs). */
export function failBatch(batch: FakeBatchRecord, reason: string): void {
  batch.outcome = 'failed';
  batch.failure = reason;
  batch.endedAt = Date.now();
  batch.results = [];
}

const settling = new WeakMap<FakeBatchRecord, Promise<void>>();

/**
 * Brings a batch up to date at a status check: a cancelled one ends with its requests cancelled;
 * one whose time has come (or that was released) is answered request by request, with the
 * configured failures and expiry. Idempotent; concurrent checks share the work.
 */
export function settle(host: RouteHost, batch: FakeBatchRecord): Promise<void> {
  if (batch.outcome) return Promise.resolve();
  const now = Date.now();
  if (batch.cancelledAt !== undefined) {
    batch.outcome = 'cancelled';
    batch.endedAt = now;
    batch.results = batch.items.map((i) => ({ customId: i.customId, ended: 'cancelled' }));
    return Promise.resolve();
  }
  if (now < batch.readyAt && batch.releasedAt === undefined) return Promise.resolve();
  const known = settling.get(batch);
  if (known) return known;
  const work = (async () => {
    const expireAfter = host.options.batch?.expire?.(batch);
    const results: FakeBatchResult[] = [];
    for (const [index, item] of batch.items.entries()) {
      if (expireAfter !== undefined && index >= expireAfter) {
        results.push({ customId: item.customId, ended: 'expired' });
        continue;
      }
      const fault = host.options.batch?.failRequest?.(item, batch);
      if (fault) {
        results.push({
          customId: item.customId,
          status: fault.status,
          body: host.errorBody(fault.status, fault.message),
        });
        continue;
      }
      const answer = await host.answer(item.path, item.body);
      results.push({ customId: item.customId, ...answer });
    }
    batch.results = results;
    batch.outcome = expireAfter !== undefined ? 'expired' : 'completed';
    batch.endedAt = Date.now();
  })();
  settling.set(batch, work);
  return work;
}

/** Counts of a batch's results by kind. */
export function countResults(batch: FakeBatchRecord) {
  const counts = { succeeded: 0, errored: 0, expired: 0, cancelled: 0 };
  for (const r of batch.results ?? []) {
    if ('ended' in r) counts[r.ended]++;
    else if (r.status === 200) counts.succeeded++;
    else counts.errored++;
  }
  return counts;
}

/** The batch with this id, if the server has it. */
export function findBatch(host: RouteHost, id: string): FakeBatchRecord | undefined {
  return host.batches.find((b) => b.id === id);
}
