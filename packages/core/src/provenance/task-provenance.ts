import type { StoredRecord } from '../contracts/v1/datastore.js';
import type { TaskRun } from '../runner/task-run.js';
import type { ExampleIndex } from './example-index.js';
import type { ProvenanceLog } from './provenance-log.js';
import { recordId } from './record-id.js';
import {
  applyReviewDecisions,
  REVIEW_REJECT_BLOCK,
  readReviewDecisions,
} from './review-decisions.js';

async function* idsOf(records: AsyncIterable<StoredRecord>): AsyncIterable<string> {
  for await (const record of records) yield recordId(record);
}

/**
 * Brings a resumed task's records and provenance up to date, before it generates anything:
 * applies the review decisions made since the last run (rejected records move to
 * `blocks/_review.jsonl`, so a generation task tops up to its target again; edited records
 * replace the originals), then aligns `provenance.jsonl` with `data.jsonl` (entries of a batch
 * whose records never landed are dropped).
 */
export async function resumeProvenance(
  task: TaskRun,
  log: ProvenanceLog,
  examples: ExampleIndex,
): Promise<void> {
  const decisions = await readReviewDecisions(task.settings.taskDir);
  if (decisions.size > 0) {
    const current = task.kind === 'generation' ? task.accepted : await collect(task.readData());
    const outcome = applyReviewDecisions(current as never, decisions);
    if (outcome.changed) {
      // Rejects first: their count is saved with the new data, so a kill in between leaves
      // extra reject lines that resume trims, and the decisions apply again.
      if (outcome.rejected.length) await task.writeRejects(REVIEW_REJECT_BLOCK, outcome.rejected);
      await task.replaceData(outcome.records, outcome.renamed);
    }
  }
  if (task.kind === 'generation') {
    const ids = task.accepted.map(recordId);
    await log.reconcile(ids);
    // Earlier records may be shown as examples again: index them for later entries.
    for (const [i, record] of task.accepted.entries()) examples.add(record, ids[i]!);
  } else await log.reconcile(idsOf(task.readData()));
}

async function collect(records: AsyncIterable<StoredRecord>): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}
