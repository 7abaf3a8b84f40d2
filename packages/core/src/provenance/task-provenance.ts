import type { DataPoint } from '../contracts/v1/data-point.js';
import type { StoredRecord } from '../contracts/v1/datastore.js';
import type { AttemptTrace, RecentTraces } from '../runner/row-trace.js';
import type { TaskRun } from '../runner/task-run.js';
import { ExampleIndex } from './example-index.js';
import { NoteTextIndex } from './note-texts.js';
import { type ProvenanceContext, provenanceEntries } from './provenance-entry.js';
import { ProvenanceLog } from './provenance-log.js';
import { recordId } from './record-id.js';
import {
  applyReviewDecisions,
  REVIEW_REJECT_BLOCK,
  readReviewDecisions,
} from './review-decisions.js';

async function* idsOf(records: AsyncIterable<StoredRecord>): AsyncIterable<string> {
  for await (const record of records) yield recordId(record);
}

async function collect(records: AsyncIterable<StoredRecord>): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

/**
 * Everything a task does for provenance and review, behind a few calls from `TaskRun`: the
 * `provenance.jsonl` sidecar, the index of examples prompts may show, and the review decisions
 * applied on resume.
 */
export class TaskProvenance {
  private readonly log: ProvenanceLog;
  private readonly examples = new ExampleIndex();
  // Searchable texts of recent attempts' requests, kept across commits (see NoteTexts).
  private readonly texts = new NoteTextIndex();

  constructor(
    private readonly task: TaskRun,
    private readonly context: ProvenanceContext | undefined,
  ) {
    this.log = new ProvenanceLog(task.settings.taskDir);
  }

  /** `--restart`: starts the sidecar afresh. */
  clear(): Promise<void> {
    return this.log.clear();
  }

  /** Seeds are named `seed:<n>` when a prompt shows them. */
  addSeeds(seeds: readonly DataPoint[]): void {
    for (const [i, seed] of seeds.entries()) this.examples.add(seed, `seed:${i}`);
  }

  /**
   * On open, before the task generates anything: applies the review decisions made since the
   * last run (rejected records move to `blocks/_review.jsonl`, so a generation task tops up to
   * its target again; edited records replace the originals), then aligns `provenance.jsonl`
   * with `data.jsonl` (entries of a batch whose records never landed are dropped).
   */
  async resume(): Promise<void> {
    const { task } = this;
    const decisions = await readReviewDecisions(task.settings.taskDir);
    if (decisions.size > 0) {
      const current = task.kind === 'generation' ? task.accepted : await collect(task.readData());
      const outcome = applyReviewDecisions(current as DataPoint[], decisions);
      if (outcome.changed) {
        // Rejects first: their count is saved with the new data, so a kill in between leaves
        // extra reject lines that resume trims, and the decisions apply again.
        if (outcome.rejected.length) await task.writeRejects(REVIEW_REJECT_BLOCK, outcome.rejected);
        await task.replaceData(outcome.records, outcome.renamed);
      }
    }
    if (task.kind === 'generation') {
      const ids = task.accepted.map(recordId);
      await this.log.reconcile(ids);
      // Earlier records may be shown as examples again: index them for later entries.
      for (const [i, record] of task.accepted.entries()) this.examples.add(record, ids[i]!);
    } else await this.log.reconcile(idsOf(task.readData()));
  }

  /**
   * Writes the entries of records about to be appended, durably, before the records themselves:
   * per attempt, `originals` as the builder returned them (the keys of their traces) and
   * `records` as they will be stored. Several attempts committed together take one write.
   */
  async beforeAppend(
    attempts: readonly {
      attempt: number;
      /** What the attempt's blocks noted (absent for records that came without one). */
      trace?: AttemptTrace;
      originals: readonly object[];
      records: readonly StoredRecord[];
    }[],
    recent: RecentTraces,
  ): Promise<void> {
    const { task } = this;
    const records = attempts.flatMap((a) => a.records);
    if (records.length === 0) return;
    const entries = attempts.flatMap((a) =>
      provenanceEntries(
        task.name,
        { number: a.attempt, trace: a.trace, recent },
        a.originals,
        a.records,
        this.context,
        this.examples,
        this.texts,
      ),
    );
    await this.log.append(entries);
    // Only generation prompts show earlier records (a transformation would index all its input).
    if (task.kind === 'generation')
      for (const [i, entry] of entries.entries()) this.examples.add(records[i]!, entry.id);
  }

  /** After `data.jsonl` was rewritten: realigns the sidecar (`renamed`: new id → old id). */
  async afterRewrite(
    records: readonly StoredRecord[],
    renamed?: ReadonlyMap<string, string>,
  ): Promise<void> {
    await this.log.reconcile(records.map(recordId), renamed);
  }

  close(): Promise<void> {
    return this.log.close();
  }
}
