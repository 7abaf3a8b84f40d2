import type { Attempt } from './attempt.js';
import { FREE_REQUESTS, type StopDecision, spendingAdvice } from './stopping-criteria.js';
import type { TaskRun } from './task-run.js';

/**
 * LM requests `max_requests_per_record` lets a generation task make in this run with the records
 * it holds now (after the first {@link FREE_REQUESTS}); infinite when the task has no cap.
 */
export function requestAllowance(task: TaskRun): number {
  const perRecord = task.settings.maxRequestsPerRecord;
  if (task.kind !== 'generation' || !Number.isFinite(perRecord)) return Number.POSITIVE_INFINITY;
  return FREE_REQUESTS + perRecord * task.dataCount;
}

/**
 * LM requests the task's next attempt is expected to make: the average of its attempts committed
 * in this run, or 1 before the first (an attempt makes at least one).
 */
export function requestsPerAttempt(task: TaskRun): number {
  const committed = task.attempts - task.resumedAttempts;
  return committed > 0 ? Math.max(1, task.committedLmRequests / committed) : 1;
}

/**
 * The LM requests a task has spent or is committed to spending: those of its committed attempts,
 * and for each attempt of it in flight what it has made so far, at least what an attempt is
 * expected to make (its remaining requests are not known yet).
 */
function requestsBound(task: TaskRun, inFlight: readonly Attempt[]): number {
  const expected = requestsPerAttempt(task);
  let total = task.committedLmRequests;
  for (const attempt of inFlight) {
    if (!attempt.parts.some((part) => part.task === task)) continue;
    total += Math.max(attempt.requests.get(task.name) ?? 0, expected);
  }
  return total;
}

/**
 * Whether `max_requests_per_record` holds back the task's next attempt: with it, the requests the
 * task has spent or is committed to (see {@link requestsBound}) would pass what its records allow.
 * Checked before an attempt is admitted, so a task that spends without keeping stops near its
 * cap instead of past it by everything the attempts admitted meanwhile make. A healthy task only
 * waits here until commits bring the records that raise its allowance.
 */
export function requestCapHolds(task: TaskRun, inFlight: readonly Attempt[]): boolean {
  if (task.kind !== 'generation' || task.dataCount >= task.settings.target) return false;
  const allowance = requestAllowance(task);
  if (!Number.isFinite(allowance)) return false;
  return requestsBound(task, inFlight) + requestsPerAttempt(task) > allowance;
}

/** How a task held back by {@link requestCapHolds} ends once none of its attempts is in flight. */
export function requestCapStop(task: TaskRun): StopDecision {
  const records = task.dataCount;
  const next = Math.ceil(requestsPerAttempt(task));
  return {
    status: 'max-requests',
    reason: `${task.committedLmRequests} LM requests for ${records} accepted record${records === 1 ? '' : 's'}: another attempt (about ${next} request${next === 1 ? '' : 's'}) would pass ${task.settings.maxRequestsPerRecord} per record after the first ${FREE_REQUESTS} (max_requests_per_record). ${spendingAdvice(task.lastLmError)}`,
  };
}
