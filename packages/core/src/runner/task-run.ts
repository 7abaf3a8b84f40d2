import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedTask } from '../config/load-tasks.js';
import type { DataPoint } from '../contracts/v1/data-point.js';
import type { Dataloader } from '../contracts/v1/dataloader.js';
import type { Datastore, StoredRecord } from '../contracts/v1/datastore.js';
import { isDgtError } from '../errors/dgt-error.js';
import type {
  BlockLmUsage,
  DgtEvent,
  LmRequestEvent,
  TaskStatus,
  TaskSummary,
} from '../events/events.js';
import { countLmRequest, emptyLmUsage } from '../events/lm-usage.js';
import type { ProvenanceContext } from '../provenance/provenance-entry.js';
import { TaskProvenance } from '../provenance/task-provenance.js';
import type { RandomSource } from '../random/seeded-random.js';
import type { SavedAttempts } from './attempt-numbers.js';
import type { RejectBuffer } from './attempt-scope.js';
import { lmErrorCause } from './lm-cause.js';
import { redactSecrets } from './redact.js';
import { type AttemptTrace, RecentTraces } from './row-trace.js';
import { removeStaleTempFiles } from './stale-temp-files.js';
import { StallTracker } from './stall-tracker.js';
import { spendingCapReason } from './stopping-criteria.js';
import { claimTaskDir } from './task-dir-claim.js';
import type { TaskSettings } from './task-settings.js';

/**
 * DgtError codes that describe the run's surroundings (a server or disk), not a mistake in what
 * the user wrote: a task ended by one exits 1, as other runtime failures do.
 */
const RUNTIME_CODES: ReadonlySet<string> = new Set([
  'LM_UNREACHABLE',
  'QUEUE_UNREACHABLE',
  'DISK_FULL',
  'INTERRUPTED',
]);

/** Opens a datastore of a task: `config` is the task file's mapping (or none for the default). */
export type StoreOpener = (
  config: Record<string, unknown> | null | undefined,
  storeName: string,
) => Promise<Datastore>;

/** What a task needs from the run to read and write its data. */
export type TaskRunDeps = {
  openStore: StoreOpener;
  /** Opens the transformation input as a resumable, non-looping cursor. */
  openInput: () => Promise<Dataloader>;
  /** The seed examples (inline and from `seed_datastore`), for generation tasks. */
  loadSeeds: () => Promise<StoredRecord[]>;
  /**
   * Checks a transformation input record against the builder's input shape: the record as the
   * builder should see it, or the reason it does not fit.
   */
  checkInput?: (record: DataPoint) => { record: DataPoint } | { reason: string };
  random: RandomSource;
  /** Values never to be written (API keys from the environment), for logs and results. */
  secrets?: ReadonlySet<string>;
  /** Run-level facts written into each record's provenance entry (versions, run id). */
  provenance?: ProvenanceContext;
};

/** Where a task's loaders stood after taking a batch: saved once that batch is committed. */
export type TaskCursor = { seed_position: number; input?: Record<string, unknown> };

type SavedState = {
  /** The highest builder attempt number whose records the task committed. */
  attempt: number;
  /**
   * Attempt numbers below `attempt` that the task started but had not committed (in flight when
   * the line was written, or dropped by a stop): a resumed run may use them again.
   */
  open_attempts?: number[];
  /** How many attempts this task took part in. */
  task_attempts?: number;
  /** Lines in each `blocks/<block>.jsonl` reject store. */
  rejects?: Record<string, number>;
  data_count: number;
  seed_position: number;
  input?: Record<string, unknown>;
};

/**
 * One task of a run: its stores (`data.jsonl`, state, rejects, results), its accepted records,
 * its counters, and how it resumes. A commit appends the attempts' records durably to
 * `data.jsonl`, then a state line with the record count and the attempt numbers committed: the
 * state line is the commit point. On resume, records past the saved count (a kill between the
 * two writes) are cut away and their attempts count as not committed, so a kill at any moment
 * loses nothing that was committed and duplicates nothing.
 */
export class TaskRun {
  readonly name: string;
  readonly kind: 'generation' | 'transformation';
  /** Accepted records, in `data.jsonl` order (generation only: transformations stream). */
  accepted: DataPoint[] = [];
  /** Records in `data.jsonl`. */
  dataCount = 0;
  seeds: DataPoint[] = [];
  status: TaskStatus | undefined;
  reason: string | undefined;
  /** Gives up this process's claim on the task's output folder (see `claimTaskDir`). */
  private releaseClaim: (() => Promise<void>) | undefined;
  /** Attempts of this task that were committed. */
  attempts = 0;
  /** Attempts committed before this run (resume): `attempts` minus these were made now. */
  resumedAttempts = 0;
  /** The highest builder attempt number this task committed (saved; numbering resumes above it). */
  lastAttemptNumber = 0;
  /** The attempt numbers of the saved state, for the builder's {@link AttemptNumbers}. */
  savedAttempts: SavedAttempts = { attempt: 0 };
  /** Stall counting: progress is a rise in accepted records after postprocessing. */
  readonly stall = new StallTracker();
  /** This task's latest attempts with LM requests (provenance of records built from replies). */
  readonly recentTraces = new RecentTraces();
  readonly rejected: Record<string, number> = {};
  /** Bytes in the task's reject stores, for `max_reject_store_mb`. */
  rejectBytes = 0;
  /** Records present when the run started (resume). */
  resumed = 0;
  inputExhausted = false;
  // Work in flight and committed, and LM usage: changed only through reserve/release/
  // recordCommitted and recordLmRequest, read through the getters below.
  private readonly work = {
    pending: 0,
    startedAttempts: 0,
    itemsCommitted: 0,
    recordsCommitted: 0,
    committedLmRequests: 0,
    open: new Set<number>(),
  };
  private readonly usage = {
    lmRequests: 0,
    lmFailures: 0,
    lastLmError: undefined as string | undefined,
    cacheHits: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
    priceUnknown: false,
    byBlock: new Map<string, BlockLmUsage>(),
  };
  private finalLocation: string | undefined;
  private committedCursor: TaskCursor = { seed_position: 0 };
  private seedPosition = 0;
  private startedAt = Date.now();
  private data!: Datastore;
  private state!: Datastore;
  private logs!: Datastore;
  private pendingLogs: StoredRecord[] = [];
  private input: Dataloader | undefined;
  private readonly rejectStores = new Map<string, Datastore>();
  /** provenance.jsonl and review decisions (dgt view). */
  private provenance!: TaskProvenance;

  constructor(
    readonly task: LoadedTask,
    readonly builderId: string,
    kind: 'generation' | 'transformation',
    readonly settings: TaskSettings,
    private readonly deps: TaskRunDeps,
  ) {
    this.name = task.config.task_name;
    this.kind = kind;
  }

  /** Where the final records were written (the final datastore's location), once they are. */
  get finalData(): string | undefined {
    return this.finalLocation;
  }
  /** Batch items in attempts that have started but not been committed. */
  get pending(): number {
    return this.work.pending;
  }
  /** Attempts of this task started (committed or in flight): bounds max_gen_requests. */
  get startedAttempts(): number {
    return this.work.startedAttempts;
  }
  /** Attempt numbers this task started and has not committed (saved below `lastAttemptNumber`). */
  get openAttempts(): ReadonlySet<number> {
    return this.work.open;
  }
  /** Batch items of attempts committed in this run: the denominator of the yield. */
  get itemsCommitted(): number {
    return this.work.itemsCommitted;
  }
  /** Records those attempts added. */
  get recordsCommitted(): number {
    return this.work.recordsCommitted;
  }
  /** LM requests of this task's committed attempts (see `applySpendingCaps`). */
  get committedLmRequests(): number {
    return this.work.committedLmRequests;
  }
  get lmRequests(): number {
    return this.usage.lmRequests;
  }
  get lmFailures(): number {
    return this.usage.lmFailures;
  }
  get lastLmError(): string | undefined {
    return this.usage.lastLmError;
  }
  get cacheHits(): number {
    return this.usage.cacheHits;
  }
  get promptTokens(): number {
    return this.usage.promptTokens;
  }
  get completionTokens(): number {
    return this.usage.completionTokens;
  }
  get costUsd(): number {
    return this.usage.costUsd;
  }
  /**
   * An LM request of the task was answered without a price (its model is not in the price
   * table), so `costUsd` undercounts and `max_cost_usd` cannot be enforced.
   */
  get priceUnknown(): boolean {
    return this.usage.priceUnknown;
  }
  /** LM usage per block name. */
  get lmUsage(): ReadonlyMap<string, BlockLmUsage> {
    return this.usage.byBlock;
  }

  /** Counts `items` batch items of attempt `number` as started and in flight. */
  reserve(number: number, items: number): void {
    this.work.pending += items;
    this.work.startedAttempts++;
    this.work.open.add(number);
  }

  /** Gives back items that will not be committed (their attempt failed, or the task ended). */
  release(items: number): void {
    this.work.pending -= items;
  }

  /** Adds the LM requests of attempts about to be committed (before `commit` saves them). */
  countCommittedRequests(requests: number): void {
    this.work.committedLmRequests += requests;
  }

  /**
   * Moves `items` from in flight to committed with the `records` they added; only after the
   * records are counted, so admission, running beside commits, never sees them in neither place.
   */
  recordCommitted(items: number, records: number): void {
    this.work.pending -= items;
    this.work.itemsCommitted += items;
    this.work.recordsCommitted += records;
    // Stalling is a generation matter (a transformation makes its one pass whatever each batch
    // keeps).
    if (this.kind === 'generation') this.stall.committed(records);
  }

  /** Counts one finished LM request of the task (usage, cost, failures). */
  recordLmRequest(event: LmRequestEvent): void {
    const usage = this.usage;
    usage.lmRequests++;
    if (event.cached) usage.cacheHits++;
    usage.promptTokens += event.promptTokens;
    usage.completionTokens += event.completionTokens;
    usage.costUsd += event.costUsd ?? 0;
    let block = usage.byBlock.get(event.block);
    if (!block) {
      block = emptyLmUsage(event.provider, event.model);
      usage.byBlock.set(event.block, block);
    }
    countLmRequest(block, event);
    if (!event.ok) {
      usage.lmFailures++;
      usage.lastLmError = event.error;
      this.log(event);
    }
  }

  /** Marks the task's spending as unknown; true the first time (to warn once). */
  markPriceUnknown(): boolean {
    if (this.usage.priceUnknown) return false;
    this.usage.priceUnknown = true;
    return true;
  }

  /** Records where the final records were written. */
  setFinalData(location: string): void {
    this.finalLocation = location;
  }

  /** Committed attempts in a row that made no progress. */
  get stalled(): number {
    return this.stall.stalled;
  }

  /**
   * Records a generation task expects per batch item, from what its committed attempts yielded
   * in this run (1 until the first commits: one item, one record).
   */
  get yieldPerItem(): number {
    if (this.itemsCommitted === 0) return 1;
    return Math.max(0.02, this.recordsCommitted / this.itemsCommitted);
  }

  /** Milliseconds since the task started in this process. */
  get elapsedMs(): number {
    return Date.now() - this.startedAt;
  }

  /** The target, for generation tasks. */
  get target(): number | undefined {
    return this.kind === 'generation' ? this.settings.target : undefined;
  }

  /** Opens the stores; with `restart` wipes earlier outputs, otherwise resumes from them. */
  async open(): Promise<void> {
    // Before anything is read or wiped: another live run may be writing this folder.
    this.releaseClaim = await claimTaskDir(this.settings.taskDir, this.name);
    await removeStaleTempFiles(this.settings.taskDir);
    const { openStore } = this.deps;
    const storeConfig = this.task.config.datastore;
    const name = this.settings.storeName;
    this.data = await openStore(storeConfig, `${name}/data`);
    this.state = await openStore(storeConfig, `${name}/dataloader_state`);
    this.logs = await openStore(storeConfig, `${name}/logs`);
    this.provenance = new TaskProvenance(this, this.deps.provenance); // provenance
    if (this.settings.restart) {
      for (const store of [this.data, this.state, this.logs]) await store.clear();
      await this.provenance.clear(); // provenance
      await rm(`${this.settings.taskDir}/blocks`, { recursive: true, force: true });
      for (const file of ['final_data', 'formatted_data', 'task_results']) {
        await (await openStore(storeConfig, `${name}/${file}`)).clear();
      }
    }

    if (this.kind === 'generation') {
      this.seeds = (await this.deps.loadSeeds()).map((seed) => ({
        ...seed,
        task_name: this.name,
        is_seed: true,
      }));
      this.provenance.addSeeds(this.seeds); // provenance
    } else {
      this.input = await this.deps.openInput();
    }

    const saved = await this.lastState();
    for await (const record of this.data.read()) {
      this.dataCount++;
      if (this.kind === 'generation') this.accepted.push(record as DataPoint);
    }
    if (saved) {
      this.attempts = saved.task_attempts ?? saved.attempt;
      this.work.startedAttempts = this.attempts;
      this.resumedAttempts = this.attempts;
      this.lastAttemptNumber = saved.attempt;
      this.savedAttempts = {
        attempt: saved.attempt,
        ...(saved.open_attempts ? { open: saved.open_attempts } : {}),
      };
      this.seedPosition = saved.seed_position;
      if (saved.input && this.input) this.input.setState(saved.input);
      this.committedCursor = {
        seed_position: saved.seed_position,
        ...(saved.input ? { input: saved.input } : {}),
      };
      if (this.kind === 'transformation' && this.dataCount > saved.data_count) {
        // Outputs of a batch whose input position was never saved: that batch runs again, so
        // drop its outputs to avoid duplicates.
        const keep: StoredRecord[] = [];
        let i = 0;
        for await (const record of this.data.read()) if (i++ < saved.data_count) keep.push(record);
        await this.data.write(keep);
        this.dataCount = keep.length;
      } else if (this.kind === 'generation' && this.dataCount !== saved.data_count) {
        // Killed inside a commit (see `commit`) or a postprocessor's rewrite: every record on
        // disk belongs to an attempt the state already names, so all are kept and the count is
        // saved as it is.
        await this.saveState();
      }
    } else if (this.kind === 'transformation' && this.dataCount > 0) {
      await this.data.clear();
      this.dataCount = 0;
    }
    if (!this.settings.restart) await this.trimRejects(saved?.rejects ?? {});
    await this.provenance.resume(); // provenance: review decisions, realignment
    this.resumed = this.dataCount;
  }

  private async lastState(): Promise<SavedState | undefined> {
    let last: SavedState | undefined;
    for await (const record of this.state.read()) last = record as SavedState;
    return last;
  }

  /** Every seed was handed out once and the task's `dataloader:` says `loop_over: false`. */
  get seedsUsedUp(): boolean {
    return this.settings.loopSeeds === false && this.seedPosition >= this.seeds.length;
  }

  /**
   * The next `k` seeds, cycling (DiGiT's looping seed dataloader), or fewer once each seed was
   * handed out when the task's `dataloader:` says `loop_over: false`.
   */
  nextSeeds(k: number): DataPoint[] {
    if (this.seeds.length === 0) return [];
    const out: DataPoint[] = [];
    for (let i = 0; i < k; i++) {
      if (this.seedsUsedUp) break;
      out.push({ ...this.seeds[this.seedPosition % this.seeds.length]! });
      this.seedPosition++;
    }
    return out;
  }

  /**
   * The next input records of a transformation, up to `k`. Records that do not fit the
   * builder's input shape are set aside in `blocks/_input.jsonl` with the reason (naming the
   * record's position), not passed to the builder; held in `rejects` when given (the attempt
   * the batch is for).
   */
  async nextInputs(k: number, rejects?: RejectBuffer): Promise<DataPoint[]> {
    const out: DataPoint[] = [];
    const misfits: { row: StoredRecord; reason: string }[] = [];
    while (out.length < k) {
      const position = Number(this.input!.getState().position ?? 0);
      const record = await this.input!.next();
      if (record === undefined) {
        this.inputExhausted = true;
        break;
      }
      const candidate = { ...record, task_name: this.name } as DataPoint;
      const checked = this.deps.checkInput?.(candidate) ?? { record: candidate };
      if ('reason' in checked)
        misfits.push({ row: record, reason: `input record ${position + 1}: ${checked.reason}` });
      else out.push(checked.record);
    }
    if (misfits.length) await this.writeRejects('_input', misfits, rejects);
    return out;
  }

  /**
   * Commits attempts of this task: their records, the rows they rejected and their numbers;
   * returns how many records were added. `cursor` is the loaders' position after the last of
   * them.
   *
   * Generation writes ahead: the state line naming the attempt numbers and the new record count
   * goes first, then the records. A kill in between leaves fewer records than the line counts
   * (those were never on disk, and their attempts are never run again under the same numbers,
   * whose answers the request cache holds); it can never leave records on disk whose attempt a
   * resumed run would make again. Transformations append first and save the input position
   * after: a kill in between leaves records past the saved count, which resume cuts away, and the
   * batch runs again.
   */
  async commit(
    attempts: readonly { number: number; records: DataPoint[]; trace?: AttemptTrace }[],
    rejects: readonly RejectBuffer[],
    cursor: TaskCursor,
  ): Promise<number> {
    const records = attempts.flatMap((attempt) => attempt.records);
    const clean = records.map((record) => ({
      ...record,
      task_name: this.name,
      is_seed: record.is_seed ?? false,
    }));
    this.attempts += attempts.length;
    for (const { number } of attempts) {
      this.work.open.delete(number);
      this.lastAttemptNumber = Math.max(this.lastAttemptNumber, number);
    }
    const own = rejects.flatMap((buffer) => buffer.filter((entry) => entry.task === this.name));
    if (this.kind === 'generation') {
      const counts = { ...this.rejected };
      for (const { block, rows } of own) counts[block] = (counts[block] ?? 0) + rows.length;
      await this.writeState(cursor, this.dataCount + clean.length, counts);
      await this.writeProvenance(attempts, clean);
      if (clean.length) await this.data.append(clean);
      this.dataCount += clean.length;
      this.accepted.push(...clean);
      for (const { block, rows } of own) await this.storeRejects(block, rows);
    } else {
      await this.writeProvenance(attempts, clean);
      if (clean.length) await this.data.append(clean);
      this.dataCount += clean.length;
      for (const { block, rows } of own) await this.storeRejects(block, rows);
      await this.saveState(cursor);
    }
    this.applySpendingCaps();
    return clean.length;
  }

  /**
   * Provenance entries of the records about to be appended, each attempt's traced by its own
   * number and requests, written before the records: a kill leaves no record without one.
   */
  private async writeProvenance(
    attempts: readonly { number: number; records: DataPoint[]; trace?: AttemptTrace }[],
    clean: readonly StoredRecord[],
  ): Promise<void> {
    let at = 0;
    const groups = attempts.map(({ number, records, trace }) => {
      const group = {
        attempt: number,
        trace,
        originals: records,
        records: clean.slice(at, at + records.length),
      };
      at += records.length;
      return group;
    });
    await this.provenance.beforeAppend(groups, this.recentTraces);
  }

  /** The loaders' position now (after the batches taken so far). */
  cursor(): TaskCursor {
    return {
      seed_position: this.seedPosition,
      ...(this.input ? { input: this.input.getState() } : {}),
    };
  }

  /**
   * Saves the position an attempt's batch was taken at, after its records were appended. With
   * attempts in flight, later batches may already have been taken: their inputs are not
   * covered by this position, so a crash makes them run again rather than get lost.
   */
  async saveState(cursor: TaskCursor = this.committedCursor): Promise<void> {
    await this.writeState(cursor, this.dataCount, this.rejected);
  }

  private async writeState(
    cursor: TaskCursor,
    dataCount: number,
    rejects: Record<string, number>,
  ): Promise<void> {
    this.committedCursor = cursor;
    const open = [...this.openAttempts].filter((n) => n < this.lastAttemptNumber);
    const state: SavedState = {
      attempt: this.lastAttemptNumber,
      ...(open.length ? { open_attempts: open.sort((a, b) => a - b) } : {}),
      task_attempts: this.attempts,
      data_count: dataCount,
      rejects: { ...rejects },
      ...cursor,
    };
    await this.state.append([state]);
  }

  /**
   * Replaces `data.jsonl` (after a postprocessor removed records, or review changed some) in one
   * atomic write (a kill before the state line that follows is repaired on resume); `renamed` maps the new id of an edited record to its old one.
   */
  async replaceData(records: DataPoint[], renamed?: ReadonlyMap<string, string>): Promise<void> {
    await this.data.write(records);
    if (this.kind === 'generation') this.accepted = records;
    this.dataCount = records.length;
    await this.saveState();
    await this.provenance.afterRewrite(records, renamed); // provenance
  }

  /**
   * Records rejected rows with their reason in `blocks/<block>.jsonl`. Inside an attempt (given
   * its `buffer`) they are held until the attempt commits ({@link commit}); outside one
   * (postprocessors) they are written at once.
   */
  async writeRejects(
    block: string,
    rows: { row: StoredRecord; reason: string }[],
    buffer?: RejectBuffer,
  ): Promise<void> {
    if (buffer) buffer.push({ task: this.name, block, rows });
    else await this.storeRejects(block, rows);
  }

  /**
   * Ends the task when it spends without keeping (see `spendingCapReason`). Checked at every
   * commit and every reject write, whatever loop drives the task: a model that repeats itself
   * must not be able to run up requests or fill the disk.
   */
  applySpendingCaps(): void {
    if (!this.active) return;
    // A generation task that holds its target is settled by its postprocessors, not stopped.
    if (this.kind === 'generation' && this.dataCount >= this.settings.target) return;
    const stop = spendingCapReason(
      {
        // Only requests of committed attempts: with fast replies the requests of many attempts
        // finish long before their records are committed.
        lmRequests: this.committedLmRequests,
        rejectBytes: this.rejectBytes,
        ...(this.kind === 'generation' ? { accepted: this.dataCount } : {}),
        ...(this.lastLmError ? { lastLmError: this.lastLmError } : {}),
      },
      this.settings,
    );
    if (stop) this.end(stop.status, stop.reason);
  }

  private async rejectStore(block: string): Promise<Datastore> {
    let store = this.rejectStores.get(block);
    if (!store) {
      store = await this.deps.openStore(
        this.task.config.datastore,
        `${this.settings.storeName}/blocks/${block}`,
      );
      this.rejectStores.set(block, store);
    }
    return store;
  }

  private async storeRejects(
    block: string,
    rows: { row: StoredRecord; reason: string }[],
  ): Promise<void> {
    const store = await this.rejectStore(block);
    // Rows past the reject-store cap are not stored: the cap ends the task just below.
    const lines: StoredRecord[] = [];
    for (const { row, reason } of rows) {
      if (this.rejectBytes >= this.settings.maxRejectStoreBytes) break;
      const line = { ...row, _block: block, _reason: reason };
      this.rejectBytes += jsonBytes(line);
      lines.push(line);
    }
    this.rejected[block] = (this.rejected[block] ?? 0) + lines.length;
    if (lines.length) await store.append(lines);
    this.applySpendingCaps();
  }

  /**
   * On resume: keeps in each reject store only the lines counted by the last saved state, so
   * rejects of a batch that runs again are not stored twice, and restores the counts.
   */
  private async trimRejects(saved: Record<string, number>): Promise<void> {
    const folder = path.join(this.settings.taskDir, 'blocks');
    const names = (await readdir(folder).catch(() => [] as string[]))
      .filter((file) => file.endsWith('.jsonl') && !file.endsWith('.index.jsonl'))
      .map((file) => file.slice(0, -'.jsonl'.length));
    for (const block of new Set([...names, ...Object.keys(saved)])) {
      const keep = saved[block] ?? 0;
      const store = await this.rejectStore(block);
      const lines: StoredRecord[] = [];
      let total = 0;
      for await (const record of store.read()) if (total++ < keep) lines.push(record);
      if (total > keep) await store.write(lines);
      if (keep > 0) this.rejected[block] = Math.min(keep, total);
    }
    // The cap is on the stores' size, so what earlier runs stored counts.
    for (const file of await readdir(folder).catch(() => [] as string[]))
      if (file.endsWith('.jsonl'))
        this.rejectBytes += (await stat(path.join(folder, file)).catch(() => ({ size: 0 }))).size;
  }

  /** Streams `data.jsonl` (transformations, whose records are not kept in memory). */
  readData(): AsyncIterable<StoredRecord> {
    return this.data.read();
  }

  /** Queues an event for `logs.jsonl`; written at the next {@link flushLogs}. */
  log(event: DgtEvent): void {
    const line = { time: new Date().toISOString(), ...event };
    this.pendingLogs.push(redactSecrets(line, this.deps.secrets) as StoredRecord);
  }

  /** The summary as written to `task_results.jsonl`: secrets (e.g. URL passwords) redacted. */
  resultLine(): StoredRecord {
    return redactSecrets(
      { time: new Date().toISOString(), ...this.summary() },
      this.deps.secrets,
    ) as StoredRecord;
  }

  /** Writes queued log lines (logs are not on the durability path, so they are batched). */
  async flushLogs(): Promise<void> {
    if (this.pendingLogs.length === 0) return;
    const lines = this.pendingLogs;
    this.pendingLogs = [];
    await this.logs.append(lines);
  }

  /**
   * Marks the task as ended (first reason wins). A `cause` that is a user error (a DgtError: a
   * template past its limits, a bad input) marks the summary so the CLI exits 2, not 1.
   */
  end(status: TaskStatus, reason?: string, cause?: unknown): void {
    if (this.status) return;
    this.status = status;
    this.reason = reason;
    if (status === 'failed' && isDgtError(cause) && !RUNTIME_CODES.has(cause.code))
      this.userError = true;
  }

  /**
   * Why a task that did not complete ended, when an LM error explains it (an unreachable server,
   * a 401, timeouts): shown in the summary row, not only in the footer or the logs.
   */
  cause(): string | undefined {
    if (this.status === undefined || this.status === 'completed') return undefined;
    return lmErrorCause(this.reason?.match(/cannot reach [^\s]+/)?.[0] ?? this.lastLmError);
  }

  /** The task failed on a user error (see {@link end}). */
  userError = false;

  /** Whether the task still takes part in attempts. */
  get active(): boolean {
    return this.status === undefined;
  }

  summary(): TaskSummary {
    return {
      task: this.name,
      builder: this.builderId,
      status: this.status ?? 'interrupted',
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.userError ? { userError: true } : {}),
      ...(this.cause() ? { cause: this.cause() } : {}),
      accepted:
        this.kind === 'generation'
          ? Math.min(this.dataCount, this.settings.target)
          : this.dataCount,
      ...(this.kind === 'generation' ? { target: this.settings.target } : {}),
      rejected: { ...this.rejected },
      attempts: this.attempts,
      lmRequests: this.lmRequests,
      lmFailures: this.lmFailures,
      cacheHits: this.cacheHits,
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      costUsd: this.costUsd,
      ...(this.lmUsage.size > 0
        ? {
            lmUsage: Object.fromEntries(
              [...this.lmUsage].map(([block, usage]) => [block, { ...usage }]),
            ),
          }
        : {}),
      outputDir: this.settings.taskDir,
      ...(this.finalData ? { finalData: this.finalData } : {}),
      durationMs: this.elapsedMs,
    };
  }

  async close(): Promise<void> {
    await this.flushLogs();
    for (const store of [this.data, this.state, this.logs, ...this.rejectStores.values()])
      await store?.close();
    await this.provenance?.close(); // provenance
    const release = this.releaseClaim;
    this.releaseClaim = undefined;
    await release?.();
  }
}

/** Size of a record's JSONL line (an estimate for stores of other formats). */
function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '') + 1;
}
