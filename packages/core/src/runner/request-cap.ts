import { type Attempt, nextBatchItems } from './attempt.js';
import { FREE_REQUESTS, type StopDecision, spendingAdvice } from './stopping-criteria.js';
import type { TaskRun } from './task-run.js';

/**
 * What a generation task's batch items have cost and kept in this run: LM requests per item of
 * its committed attempts, and records kept per item after postprocessing (a dedup that removes
 * what the attempts added shows here). Before the first commit: one request and one record.
 */
function perItem(task: TaskRun): { requests: number; records: number } {
  if (task.itemsCommitted === 0) return { requests: 1, records: 1 };
  return {
    requests: task.committedLmRequests / task.itemsCommitted,
    records: Math.max(0, task.dataCount - task.resumed) / task.itemsCommitted,
  };
}

/**
 * Whether `max_requests_per_record` holds back the task's next attempt. The requests the task
 * has spent or is committed to — those of its committed attempts, and for each attempt in flight
 * what it has sent so far or at least what its items are expected to cost — and the next
 * attempt's expected requests are weighed against what the cap allows for the records the task
 * holds and those the attempts in flight and the next are expected to keep. So a task whose
 * records cost less than the cap is never held back, however many attempts it runs at once,
 * while one that spends without keeping (a model repeating itself, whose records dedup removes)
 * stops admitting attempts near its cap instead of past it by all the attempts admitted before
 * a commit shows the overrun.
 */
export function requestCapHolds(task: TaskRun, inFlight: readonly Attempt[]): boolean {
  const perRecord = task.settings.maxRequestsPerRecord;
  if (task.kind !== 'generation' || !Number.isFinite(perRecord)) return false;
  if (task.dataCount >= task.settings.target) return false;
  const rate = perItem(task);
  let spent = task.committedLmRequests;
  let items = nextBatchItems(task);
  spent += rate.requests * items;
  for (const attempt of inFlight) {
    const part = attempt.parts.find((p) => p.task === task);
    if (!part) continue;
    spent += Math.max(attempt.requests.get(task.name) ?? 0, rate.requests * part.items);
    items += part.items;
  }
  return spent > FREE_REQUESTS + perRecord * (task.dataCount + rate.records * items);
}

/** How a task held back by {@link requestCapHolds} ends once none of its attempts is in flight. */
export function requestCapStop(task: TaskRun): StopDecision {
  const records = task.dataCount;
  const next = Math.ceil(perItem(task).requests * Math.max(1, nextBatchItems(task)));
  return {
    status: 'max-requests',
    reason: `${task.committedLmRequests} LM requests for ${records} accepted record${records === 1 ? '' : 's'}: another attempt (about ${next} request${next === 1 ? '' : 's'}) would pass ${task.settings.maxRequestsPerRecord} per record after the first ${FREE_REQUESTS} (max_requests_per_record). ${spendingAdvice(task.lastLmError)}`,
  };
}
