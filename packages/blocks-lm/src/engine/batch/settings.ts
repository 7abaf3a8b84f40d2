import { DgtError } from '@dgt/core';

/** Batch settings of an LM block, resolved from its `batch*` keys. */
export type BatchSettings = {
  /** Wait this long with no new request before sending what was gathered (ms). */
  gatherMs: number;
  /** Send a batch at most this long after its first request arrived, even if more keep coming (ms). */
  maxGatherMs: number;
  /** First wait between status checks (ms); it grows by half each time up to `maxPollMs`. */
  pollMs: number;
  maxPollMs: number;
  /** A batch older than this is cancelled and its unfinished requests are sent online (ms). */
  deadlineMs?: number;
  /** Lower limits than the provider's (requests, bytes per batch). */
  maxRequests?: number;
  maxBytes?: number;
  /** Per-task budget in US dollars: a batch that could pass it is not submitted. */
  maxCostUsd?: number;
};

export const BATCH_DEFAULTS = {
  gatherSeconds: 2,
  pollSeconds: 5,
  maxPollSeconds: 60,
} as const;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Reads a duration: a number of seconds, or a string such as `90s`, `30m`, `2h`, `1h30m`, `1d`.
 * Throws a DgtError naming the block and key when it is not one.
 */
export function parseDuration(value: string | number, where: string): number {
  if (typeof value === 'number') return value * 1000;
  const text = value.trim();
  let total = 0;
  let rest = text;
  const part = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/;
  while (rest.length > 0) {
    const match = part.exec(rest);
    if (!match) {
      throw new DgtError(
        'INVALID_BLOCK_CONFIG',
        `${where}: "${text}" is not a duration — write it like 90s, 30m, 2h or 1h30m (or a number of seconds).`,
      );
    }
    total += Number(match[1]) * (UNITS[match[2]!] ?? 1);
    rest = rest.slice(match[0].length).trim();
  }
  if (text === '' || total <= 0) {
    throw new DgtError('INVALID_BLOCK_CONFIG', `${where}: the duration must be above zero.`);
  }
  return total;
}

/** The raw `batch*` keys of an LM block config. */
export type BatchKeys = {
  batch?: boolean;
  batch_deadline?: string | number;
  batch_gather_window?: number;
  batch_poll_interval?: number;
  batch_max_requests?: number;
  batch_max_bytes?: number;
  batch_max_cost_usd?: number;
};

/** Resolves the batch keys; `undefined` when the block does not run in batch mode. */
export function resolveBatchSettings(keys: BatchKeys, block: string): BatchSettings | undefined {
  if (keys.batch !== true) return undefined;
  const poll = (keys.batch_poll_interval ?? BATCH_DEFAULTS.pollSeconds) * 1000;
  const gather = (keys.batch_gather_window ?? BATCH_DEFAULTS.gatherSeconds) * 1000;
  return {
    gatherMs: gather,
    maxGatherMs: Math.max(gather * 10, 30_000),
    pollMs: poll,
    maxPollMs: Math.max(poll, BATCH_DEFAULTS.maxPollSeconds * 1000),
    ...(keys.batch_deadline !== undefined
      ? { deadlineMs: parseDuration(keys.batch_deadline, `Block "${block}": key "batch_deadline"`) }
      : {}),
    ...(keys.batch_max_requests ? { maxRequests: keys.batch_max_requests } : {}),
    ...(keys.batch_max_bytes ? { maxBytes: keys.batch_max_bytes } : {}),
    ...(keys.batch_max_cost_usd ? { maxCostUsd: keys.batch_max_cost_usd } : {}),
  };
}
