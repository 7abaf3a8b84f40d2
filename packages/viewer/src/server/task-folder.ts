import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  isTaskDirClaimed,
  PROVENANCE_FILE,
  REVIEW_FILE,
  type ReviewDecision,
  recordId,
} from '@dgt/core';
import type { RecordRow, TaskStats, TaskSummary } from '../api-types.js';
import { LineIndex } from './line-index.js';
import { StatsAggregator } from './task-stats.js';

/** A filter over a task's records (all parts optional; they combine with AND). */
export type RecordFilter = {
  /** Text anywhere in the record (case-insensitive). */
  q?: string;
  /** A top-level field whose value contains `value` (case-insensitive). */
  field?: string;
  value?: string;
  /** `block:<name>` (passed that validator), or `review:<approve|reject|edit|none>`. */
  verdict?: string;
  /** Judge score range (from provenance or the record's own `judge_score`). */
  scoreMin?: number;
  scoreMax?: number;
};

const SCAN_STEP = 5_000;
const STATS_WAIT_MS = 300;
/** A filtered search stops after scanning this many lines and says where to go on. */
const SCAN_BUDGET = 250_000;

function parse(line: string | undefined): Record<string, unknown> | undefined {
  if (line === undefined) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function lastLine(file: string): Promise<Record<string, unknown> | undefined> {
  const index = new LineIndex(file);
  const count = await index.lines();
  return count ? parse((await index.read(count - 1, count))[0]) : undefined;
}

/**
 * Read access to one task's output folder, for the viewer: its records (paged through an offset
 * index, searched by streaming), their provenance and review decisions, rejects per block, stats,
 * task card and logs. Nothing here writes.
 */
export class TaskFolder {
  readonly data: LineIndex;
  readonly provenance: LineIndex;
  private readonly stats: StatsAggregator;
  private readonly rejectIndexes = new Map<string, LineIndex>();
  private readonly logs: LineIndex;

  constructor(
    readonly name: string,
    readonly dir: string,
  ) {
    this.data = new LineIndex(path.join(dir, 'data.jsonl'));
    this.provenance = new LineIndex(path.join(dir, PROVENANCE_FILE));
    this.logs = new LineIndex(path.join(dir, 'logs.jsonl'));
    this.stats = new StatsAggregator(this.provenance);
  }

  taskStats(): Promise<TaskStats> {
    return this.stats.current();
  }

  /** The latest line of `task_card.jsonl` (written, with secrets redacted, by each run). */
  card(): Promise<Record<string, unknown> | undefined> {
    return lastLine(path.join(this.dir, 'task_card.jsonl'));
  }

  async summary(): Promise<TaskSummary> {
    const [card, results, accepted, rejects, running] = await Promise.all([
      this.card(),
      lastLine(path.join(this.dir, 'task_results.jsonl')),
      this.data.lines(),
      this.rejectCounts(),
      this.running(),
    ]);
    const settings = card?.settings as Record<string, unknown> | undefined;
    const target = typeof settings?.target === 'number' ? settings.target : undefined;
    const config = (card?.task_config ?? {}) as Record<string, unknown>;
    const kind =
      config.data !== undefined && config.seed_examples === undefined
        ? 'transformation'
        : 'generation';
    const finished = results && !running;
    // A first pass over a big provenance.jsonl takes seconds: the overview does not wait for
    // it (the figures follow on a later refresh; the pass goes on in the background).
    const stats = finished
      ? undefined
      : await Promise.race([
          this.taskStats(),
          new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), STATS_WAIT_MS)),
        ]);
    return {
      name: this.name,
      status: running ? 'running' : String(results?.status ?? 'not finished'),
      accepted,
      ...(target !== undefined && kind !== 'transformation' ? { target } : {}),
      rejects,
      ...(finished
        ? {
            promptTokens: Number(results.promptTokens) || 0,
            completionTokens: Number(results.completionTokens) || 0,
            costUsd: Number(results.costUsd) || 0,
          }
        : stats
          ? {
              promptTokens: stats.promptTokens,
              completionTokens: stats.completionTokens,
              costUsd: stats.costUsd,
            }
          : {}),
      source: finished ? 'results' : stats ? 'live' : 'counting',
      ...(typeof card?.data_builder === 'string' ? { builder: card.data_builder } : {}),
    };
  }

  /** Whether a live run holds the task's folder (core's claim file). */
  private running(): Promise<boolean> {
    return isTaskDirClaimed(this.dir);
  }

  /** Block names with a reject store (`blocks/<block>.jsonl`). */
  async rejectBlocks(): Promise<string[]> {
    const files = await readdir(path.join(this.dir, 'blocks')).catch(() => [] as string[]);
    return files
      .filter((file) => file.endsWith('.jsonl') && !file.endsWith('.index.jsonl'))
      .map((file) => file.slice(0, -'.jsonl'.length))
      .sort();
  }

  private rejectIndex(block: string): LineIndex {
    let index = this.rejectIndexes.get(block);
    if (!index) {
      index = new LineIndex(path.join(this.dir, 'blocks', `${block}.jsonl`));
      this.rejectIndexes.set(block, index);
    }
    return index;
  }

  async rejectCounts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const block of await this.rejectBlocks())
      out[block] = await this.rejectIndex(block).lines();
    return out;
  }

  /** A page of a block's rejected rows (each with `_reason`). */
  async rejects(block: string, offset: number, limit: number) {
    if (!(await this.rejectBlocks()).includes(block)) return undefined;
    const index = this.rejectIndex(block);
    const total = await index.lines();
    const rows = (await index.read(offset, offset + limit)).map((line, i) => ({
      index: offset + i,
      row: parse(line) ?? { _unreadable: line },
    }));
    return { block, total, rows };
  }

  /** Each record's latest review decision. */
  async reviews(): Promise<Map<string, ReviewDecision>> {
    const index = new LineIndex(path.join(this.dir, REVIEW_FILE));
    const out = new Map<string, ReviewDecision>();
    const count = await index.lines();
    for (const line of await index.read(0, count)) {
      const decision = parse(line) as ReviewDecision | undefined;
      if (decision && typeof decision.id === 'string') out.set(decision.id, decision);
    }
    return out;
  }

  private row(index: number, line: string, reviews: Map<string, ReviewDecision>): RecordRow {
    const record: Record<string, unknown> = parse(line) ?? { _unreadable: line };
    const id = recordId(record);
    const review = reviews.get(id)?.decision;
    return { index, id, record, ...(review ? { review } : {}) };
  }

  /** Records `[offset, offset + limit)` and the total. */
  async page(offset: number, limit: number): Promise<{ total: number; rows: RecordRow[] }> {
    const [total, lines, reviews] = await Promise.all([
      this.data.lines(),
      this.data.read(offset, offset + limit),
      this.reviews(),
    ]);
    return { total, rows: lines.map((line, i) => this.row(offset + i, line, reviews)) };
  }

  /**
   * Records matching `filter`, scanning from line `from` until `limit` match or a scan budget is
   * spent; `next` is where to continue (absent when the end was reached).
   */
  async search(filter: RecordFilter, from: number, limit: number) {
    const total = await this.data.lines();
    const reviews = await this.reviews();
    const needsProvenance =
      filter.verdict?.startsWith('block:') ||
      filter.scoreMin !== undefined ||
      filter.scoreMax !== undefined;
    const q = filter.q?.toLowerCase();
    const value = filter.value?.toLowerCase();
    const rows: RecordRow[] = [];
    let at = Math.max(0, from);
    const stop = Math.min(total, at + SCAN_BUDGET);
    while (at < stop && rows.length < limit) {
      const end = Math.min(stop, at + SCAN_STEP);
      const [lines, provenance] = await Promise.all([
        this.data.read(at, end),
        needsProvenance ? this.provenance.read(at, end) : Promise.resolve([] as string[]),
      ]);
      for (let i = 0; i < lines.length && rows.length < limit; i++) {
        const line = lines[i]!;
        if (q && !line.toLowerCase().includes(q)) continue;
        const row = this.row(at + i, line, reviews);
        if (!matches(row, filter, value, needsProvenance ? parse(provenance[i]) : undefined))
          continue;
        rows.push(row);
        if (rows.length === limit) {
          at += i + 1;
          return { total, rows, next: at < total ? at : undefined, scanned: at - from };
        }
      }
      at = end;
    }
    return { total, rows, next: at < total ? at : undefined, scanned: at - from };
  }

  /** One record with its provenance entry (checked by id) and review decision. */
  async record(index: number) {
    const [line] = await this.data.read(index, index + 1);
    if (line === undefined) return undefined;
    const reviews = await this.reviews();
    const row = this.row(index, line, reviews);
    let provenance = parse((await this.provenance.read(index, index + 1))[0]);
    // Line i of provenance.jsonl describes line i of data.jsonl; while a run rewrites either
    // file they may briefly disagree, so the id is checked.
    if (provenance && provenance.id !== row.id) provenance = undefined;
    return { ...row, provenance, decision: reviews.get(row.id) };
  }

  /** Facet values: fields with few distinct values (from the first records), verdicts, scores. */
  async facets() {
    const sample = await this.data.read(0, 2000);
    const values = new Map<string, Map<string, number>>();
    for (const line of sample) {
      const record = parse(line);
      if (!record) continue;
      for (const [field, value] of Object.entries(record)) {
        if (value === null || typeof value === 'object') continue;
        const text = String(value);
        if (text.length > 60) {
          values.set(field, new Map([['…', -1]]));
          continue;
        }
        const counts = values.get(field) ?? new Map<string, number>();
        if (counts.get('…') === -1) continue;
        counts.set(text, (counts.get(text) ?? 0) + 1);
        if (counts.size > 25) counts.set('…', -1);
        values.set(field, counts);
      }
    }
    const fields = [...values].map(([field, counts]) => ({
      field,
      values:
        counts.get('…') === -1
          ? []
          : [...counts].sort((a, b) => b[1] - a[1]).map(([v, n]) => ({ value: v, count: n })),
    }));
    const stats = await this.taskStats();
    const reviews = await this.reviews();
    const review: Record<string, number> = {};
    for (const decision of reviews.values())
      review[decision.decision] = (review[decision.decision] ?? 0) + 1;
    return {
      fields,
      sampled: sample.length,
      verdicts: stats.verdicts,
      judgeScores: stats.judgeScores,
      review,
    };
  }

  /** The last `limit` lines of `logs.jsonl` before `end` (newest last). */
  async logLines(end: number | undefined, limit: number) {
    const total = await this.logs.lines();
    const stop = Math.min(total, end ?? total);
    const start = Math.max(0, stop - limit);
    return {
      total,
      start,
      lines: (await this.logs.read(start, stop)).map((l) => parse(l) ?? { line: l }),
    };
  }

  /** When any of the task's files last changed (for live updates). */
  async version(): Promise<string> {
    const files = [
      'data.jsonl',
      PROVENANCE_FILE,
      'task_results.jsonl',
      REVIEW_FILE,
      '.dgt-run.lock',
    ];
    const parts = await Promise.all(
      files.map((file) =>
        stat(path.join(this.dir, file)).then(
          (s) => `${s.size}:${s.mtimeMs}`,
          () => '-',
        ),
      ),
    );
    return parts.join('|');
  }
}

function matches(
  row: RecordRow,
  filter: RecordFilter,
  value: string | undefined,
  provenance: Record<string, unknown> | undefined,
): boolean {
  const record = row.record as Record<string, unknown>;
  if (filter.field) {
    const field = record[filter.field];
    if (field === undefined) return false;
    if (
      value !== undefined &&
      !String(typeof field === 'object' ? JSON.stringify(field) : field)
        .toLowerCase()
        .includes(value)
    )
      return false;
  }
  if (filter.verdict?.startsWith('review:')) {
    const wanted = filter.verdict.slice('review:'.length);
    if ((row.review ?? 'none') !== wanted) return false;
  }
  const verdicts = (Array.isArray(provenance?.verdicts) ? provenance.verdicts : []) as Record<
    string,
    unknown
  >[];
  if (filter.verdict?.startsWith('block:')) {
    const block = filter.verdict.slice('block:'.length);
    if (!verdicts.some((v) => v.block === block && v.verdict === 'pass')) return false;
  }
  if (filter.scoreMin !== undefined || filter.scoreMax !== undefined) {
    const fromVerdicts = verdicts
      .map((v) => (v.fields as Record<string, unknown> | undefined)?.judge_score)
      .find((s) => typeof s === 'number');
    const score = typeof fromVerdicts === 'number' ? fromVerdicts : record.judge_score;
    if (typeof score !== 'number') return false;
    if (filter.scoreMin !== undefined && score < filter.scoreMin) return false;
    if (filter.scoreMax !== undefined && score > filter.scoreMax) return false;
  }
  return true;
}
