import path from 'node:path';
import type { DataPoint } from '../contracts/v1/data-point.js';
import type { StoredRecord } from '../contracts/v1/datastore.js';
import { createJsonlDatastore } from '../datastore/jsonl-datastore.js';
import { recordId } from './record-id.js';

/** File name of a task's review decisions (written by `dgt view`, read by the next run). */
export const REVIEW_FILE = 'review.jsonl';

/** The reject store (`blocks/_review.jsonl`) that records rejected in review are moved to. */
export const REVIEW_REJECT_BLOCK = '_review';

/** A person's decision about one record of a task, as a line of `review.jsonl`. */
export type ReviewDecision = {
  /** The record's id (see `recordId`). */
  id: string;
  decision: 'approve' | 'reject' | 'edit';
  /** For `edit`: the record that replaces it. */
  record?: StoredRecord;
  time: string;
  note?: string;
};

function isDecision(value: StoredRecord): value is ReviewDecision {
  return (
    typeof value.id === 'string' &&
    (value.decision === 'approve' || value.decision === 'reject' || value.decision === 'edit') &&
    (value.decision !== 'edit' ||
      (value.record !== null && typeof value.record === 'object' && !Array.isArray(value.record)))
  );
}

/** Each record's latest decision in `<taskDir>/review.jsonl` (empty when there is none). */
export async function readReviewDecisions(taskDir: string): Promise<Map<string, ReviewDecision>> {
  const store = createJsonlDatastore(path.join(taskDir, REVIEW_FILE));
  const latest = new Map<string, ReviewDecision>();
  for await (const line of store.read()) if (isDecision(line)) latest.set(line.id, line);
  return latest;
}

/** Appends a decision to `<taskDir>/review.jsonl`, durably (it never touches `data.jsonl`). */
export async function appendReviewDecision(
  taskDir: string,
  decision: ReviewDecision,
): Promise<void> {
  const store = createJsonlDatastore(path.join(taskDir, REVIEW_FILE));
  try {
    await store.append([decision as StoredRecord]);
  } finally {
    await store.close();
  }
}

/** What applying review decisions to a task's records gives. */
export type ReviewOutcome = {
  records: DataPoint[];
  rejected: { row: StoredRecord; reason: string }[];
  /** New id → old id of each edited record. */
  renamed: Map<string, string>;
  changed: boolean;
};

/**
 * Applies decisions to records: a rejected record is taken out (to be stored with the reason),
 * an edited one is replaced in place by its new version (keeping `task_name` and `is_seed`).
 * Records no decision names, and approved ones, stay as they are. Applying the same decisions
 * twice changes nothing the second time (the ids they name are gone).
 */
export function applyReviewDecisions(
  records: Iterable<DataPoint>,
  decisions: ReadonlyMap<string, ReviewDecision>,
): ReviewOutcome {
  const out: DataPoint[] = [];
  const rejected: ReviewOutcome['rejected'] = [];
  const renamed = new Map<string, string>();
  let changed = false;
  for (const record of records) {
    const id = recordId(record);
    const decision = decisions.get(id);
    if (decision?.decision === 'reject') {
      changed = true;
      rejected.push({ row: record, reason: `rejected in review (record ${id})` });
    } else if (decision?.decision === 'edit' && decision.record) {
      const edited = {
        ...decision.record,
        task_name: record.task_name,
        is_seed: record.is_seed ?? false,
      } as DataPoint;
      const newId = recordId(edited);
      if (newId !== id) {
        changed = true;
        renamed.set(newId, id);
      }
      out.push(edited);
    } else out.push(record);
  }
  return { records: out, rejected, renamed, changed };
}
