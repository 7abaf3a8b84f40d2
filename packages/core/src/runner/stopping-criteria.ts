import type { TaskStatus } from '../events/events.js';
import type { TaskSettings } from './task-settings.js';

/** The numbers a task's stopping criteria look at. */
export type TaskProgress = {
  attempts: number;
  /** Consecutive attempts that added no record. */
  stalled: number;
  lmRequests: number;
  lmFailures: number;
  elapsedMs: number;
  /** The error of the last failed LM request, quoted in the reason. */
  lastLmError?: string;
  /** What the task's LM requests cost, when it has a budget (`max_cost_usd`). */
  cost?: CostProgress;
  /**
   * Accepted records of the task now (after postprocessing), for `max_requests_per_record`;
   * that cap is not applied when it is not given.
   */
  accepted?: number;
  /** Bytes in the task's reject stores (`blocks/*.jsonl`), for `max_reject_store_mb`. */
  rejectBytes?: number;
};

/** The cost figures of a task that `max_cost_usd` looks at, all estimates in US dollars. */
export type CostProgress = {
  /** Estimated cost of the task's LM requests in this run (cache hits cost nothing). */
  spentUsd: number;
  /** Average cost of the task's attempts committed in this run; `undefined` before the first. */
  attemptUsd: number | undefined;
  /** One entry per attempt of the task still in flight: what it has cost so far. */
  inFlightUsd: readonly number[];
  /**
   * An LM request of the task came back without a price (a model missing from the price
   * table): the budget cannot be enforced, so it is not.
   */
  priceUnknown: boolean;
};

/** What the budget allows now: another attempt, none yet (`wait`), or none at all (`stop`). */
export type BudgetVerdict =
  | { verdict: 'ok' }
  | { verdict: 'wait' }
  | { verdict: 'stop'; reason: string };

/**
 * Applies `max_cost_usd`. No new attempt may start once the cost so far reaches the budget, nor
 * when the cost so far, plus what the attempts in flight are still expected to cost, plus the
 * average cost of an attempt would pass it (attempts are expected to cost the average of those
 * committed so far). Until the first attempt of the run is committed that average is unknown, so
 * only one attempt runs at a time (`wait`) rather than several blind ones.
 */
export function budgetVerdict(cost: CostProgress, maxCostUsd: number): BudgetVerdict {
  if (!Number.isFinite(maxCostUsd) || cost.priceUnknown) return { verdict: 'ok' };
  const budget = formatUsd(maxCostUsd);
  if (cost.spentUsd >= maxCostUsd) {
    return {
      verdict: 'stop',
      reason: `estimated cost ${formatUsd(cost.spentUsd)} reached the budget of ${budget} (max_cost_usd)`,
    };
  }
  const average = cost.attemptUsd;
  if (average === undefined)
    return cost.inFlightUsd.length > 0 ? { verdict: 'wait' } : { verdict: 'ok' };
  const stillToSpend = cost.inFlightUsd.reduce(
    (sum, spent) => sum + Math.max(0, average - spent),
    0,
  );
  if (cost.spentUsd + stillToSpend + average > maxCostUsd) {
    return {
      verdict: 'stop',
      reason: `estimated cost ${formatUsd(cost.spentUsd)} of the ${budget} budget (max_cost_usd): another attempt, about ${formatUsd(average)} on average, would pass it`,
    };
  }
  return { verdict: 'ok' };
}

/** A dollar amount for messages: cents above $1, more digits below (LM requests are cheap). */
export function formatUsd(amount: number): string {
  if (amount >= 1) return `$${amount.toFixed(2)}`;
  // Up to six decimals, trailing zeros dropped down to cents: $0.50, $0.000214.
  return `$${amount.toFixed(6).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
}

/** How a task that must stop ends: its status and the reason shown to the user. */
export type StopDecision = {
  status: Exclude<TaskStatus, 'completed' | 'interrupted'>;
  reason: string;
};

/** LM requests a task may make before `max_requests_per_record` applies. */
export const FREE_REQUESTS = 100;

/**
 * The caps that keep a task that makes no real progress from spending without bound: LM requests
 * per accepted record (`max_requests_per_record`, counted after the first {@link FREE_REQUESTS})
 * and the size of its reject stores (`max_reject_store_mb`). A model that repeats one answer
 * "adds" records that dedup removes again, which can look like progress to an attempt counter;
 * these caps look at what was spent against what was kept.
 */
export function spendingCapReason(
  progress: Pick<TaskProgress, 'lmRequests' | 'accepted' | 'rejectBytes' | 'lastLmError'>,
  settings: Pick<TaskSettings, 'maxRequestsPerRecord' | 'maxRejectStoreBytes'>,
): StopDecision | undefined {
  const { accepted, rejectBytes, lmRequests } = progress;
  if (
    accepted !== undefined &&
    Number.isFinite(settings.maxRequestsPerRecord) &&
    lmRequests > FREE_REQUESTS + settings.maxRequestsPerRecord * accepted
  ) {
    return {
      status: 'max-requests',
      reason: `${lmRequests} LM requests for ${accepted} accepted record${accepted === 1 ? '' : 's'}: more than ${settings.maxRequestsPerRecord} per record after the first ${FREE_REQUESTS} (max_requests_per_record). ${spendingAdvice(progress.lastLmError)}`,
    };
  }
  if (rejectBytes !== undefined && rejectBytes >= settings.maxRejectStoreBytes) {
    return {
      status: 'failed',
      reason: `the task's reject stores (blocks/*.jsonl) reached ${formatMb(rejectBytes)}, the limit of ${formatMb(settings.maxRejectStoreBytes)} (max_reject_store_mb): most replies are being rejected${lmCause(progress.lastLmError)}`,
    };
  }
  return undefined;
}

/** What a task stopped by `max_requests_per_record` may suffer from, with the last LM error. */
export function spendingAdvice(lastLmError: string | undefined): string {
  return `The model may be repeating itself (try a higher temperature) or the prompt may not produce what the builder keeps${lmCause(lastLmError)}`;
}

function formatMb(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(bytes < 10_485_760 ? 2 : 0)} MB`;
}

/** The last LM error, as a cause appended to a reason; empty when there was none. */
function lmCause(lastLmError: string | undefined): string {
  return lastLmError ? `; last LM error: ${lastLmError}` : '';
}

/** Below this many LM requests the failure rate is too noisy to stop a task on. */
export const MIN_REQUESTS_FOR_FAILURE_RATE = 20;

/**
 * Decides whether a task that has not reached its target must stop, and why. Reaching the
 * target is decided by the loop itself, since postprocessors may still remove records. The
 * budget (see {@link budgetVerdict}) ends a task only once none of its attempts is in flight:
 * their requests were paid for, so their records are kept.
 */
export function stopReason(
  progress: TaskProgress,
  settings: Pick<
    TaskSettings,
    | 'maxGenRequests'
    | 'maxStalledRequests'
    | 'failureThreshold'
    | 'timeLimitMs'
    | 'maxCostUsd'
    | 'maxRequestsPerRecord'
    | 'maxRejectStoreBytes'
  >,
): StopDecision | undefined {
  if (
    progress.lmRequests >= MIN_REQUESTS_FOR_FAILURE_RATE &&
    progress.lmFailures / progress.lmRequests > settings.failureThreshold
  ) {
    return {
      status: 'failed',
      reason: `${progress.lmFailures} of ${progress.lmRequests} LM requests failed, above the failure threshold of ${Math.round(settings.failureThreshold * 100)}%${progress.lastLmError ? `; last error: ${progress.lastLmError}` : ''}`,
    };
  }
  if (progress.stalled >= settings.maxStalledRequests) {
    return {
      status: 'stalled',
      reason: `${progress.stalled} attempts in a row produced no new record (max_stalled_requests: ${settings.maxStalledRequests})${lmCause(progress.lastLmError)}`,
    };
  }
  const spending = spendingCapReason(progress, settings);
  if (spending) return spending;
  if (progress.attempts >= settings.maxGenRequests) {
    return {
      status: 'max-requests',
      reason: `reached max_gen_requests (${settings.maxGenRequests})`,
    };
  }
  if (progress.elapsedMs >= settings.timeLimitMs) {
    return {
      status: 'time-limit',
      reason: `reached the time limit of ${settings.timeLimitMs / 1000} s`,
    };
  }
  // Attempts of the task still in flight were paid for: the task ends once they are committed.
  if (progress.cost && progress.cost.inFlightUsd.length === 0) {
    const budget = budgetVerdict(progress.cost, settings.maxCostUsd);
    if (budget.verdict === 'stop') return { status: 'budget', reason: budget.reason };
  }
  return undefined;
}
