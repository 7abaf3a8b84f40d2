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
};

/** Below this many LM requests the failure rate is too noisy to stop a task on. */
export const MIN_REQUESTS_FOR_FAILURE_RATE = 20;

/**
 * Decides whether a task that has not reached its target must stop, and why. Reaching the
 * target is decided by the loop itself, since postprocessors may still remove records.
 */
export function stopReason(
  progress: TaskProgress,
  settings: Pick<
    TaskSettings,
    'maxGenRequests' | 'maxStalledRequests' | 'failureThreshold' | 'timeLimitMs'
  >,
): { status: Exclude<TaskStatus, 'completed' | 'interrupted'>; reason: string } | undefined {
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
      reason: `${progress.stalled} attempts in a row produced no new record (max_stalled_requests: ${settings.maxStalledRequests})`,
    };
  }
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
  return undefined;
}
