import type { TaskStats } from '../api-types.js';
import type { LineIndex } from './line-index.js';

/** Bucket edges of the LM latency histogram, in milliseconds. */
export const LATENCY_EDGES = [50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000];
/** Bucket edges of the judge-score histogram (scores are usually 0–10 or 0–1; see `judgeScores`). */
const MAX_TIMELINE_POINTS = 400;

/**
 * Keeps {@link TaskStats} of a task up to date by reading only the provenance lines added since
 * the last call (a run appends them as records commit); a rewritten file is read again.
 */
export class StatsAggregator {
  private stats = empty();
  private read = 0;
  private readonly attemptsSeen = new Set<number>();

  constructor(private readonly provenance: LineIndex) {}

  private pending: Promise<TaskStats> | undefined;

  /** The stats over every line written so far (concurrent callers share one pass). */
  current(): Promise<TaskStats> {
    this.pending ??= this.update().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async update(): Promise<TaskStats> {
    const total = await this.provenance.lines();
    if (total < this.read) this.reset();
    // Small steps: each is parsed synchronously, and other requests wait meanwhile.
    const STEP = 2_000;
    while (this.read < total) {
      const lines = await this.provenance.read(this.read, Math.min(total, this.read + STEP));
      if (lines.length === 0) break;
      for (const line of lines) this.add(line);
      this.read += lines.length;
    }
    return this.stats;
  }

  private reset(): void {
    this.stats = empty();
    this.read = 0;
    this.attemptsSeen.clear();
  }

  private add(line: string): void {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const s = this.stats;
    s.records++;
    s.promptTokens += num(entry.prompt_tokens);
    s.completionTokens += num(entry.completion_tokens);
    s.costUsd += num(entry.cost_usd);
    if (typeof entry.attempt === 'number' && !this.attemptsSeen.has(entry.attempt)) {
      this.attemptsSeen.add(entry.attempt);
      s.attempts++;
    }
    const share = typeof entry.usage_share === 'number' ? entry.usage_share : 1;
    for (const note of Array.isArray(entry.lm) ? entry.lm : []) {
      const n = note as Record<string, unknown>;
      const block = String(n.block ?? '?');
      const agg = s.blocks[block] ?? { requests: 0, tokens: 0, costUsd: 0 };
      s.blocks[block] = agg;
      agg.requests += share;
      agg.tokens += (num(n.promptTokens) + num(n.completionTokens)) * share;
      agg.costUsd += num(n.costUsd) * share;
      if (n.cached !== true) {
        const ms = num(n.durationMs);
        let bucket = LATENCY_EDGES.findIndex((edge) => ms <= edge);
        if (bucket === -1) bucket = LATENCY_EDGES.length;
        s.latency[bucket] = (s.latency[bucket] ?? 0) + share;
      }
    }
    for (const verdict of Array.isArray(entry.verdicts) ? entry.verdicts : []) {
      const v = verdict as Record<string, unknown>;
      if (v.verdict === 'pass')
        s.verdicts[String(v.block)] = (s.verdicts[String(v.block)] ?? 0) + 1;
      const score = (v.fields as Record<string, unknown> | undefined)?.judge_score;
      if (typeof score === 'number')
        s.judgeScores[String(score)] = (s.judgeScores[String(score)] ?? 0) + 1;
    }
    const time = Date.parse(String(entry.time));
    if (Number.isFinite(time)) {
      const last = s.timeline[s.timeline.length - 1];
      if (last && last[0] === time) last[1] = s.records;
      else s.timeline.push([time, s.records]);
      if (s.timeline.length > MAX_TIMELINE_POINTS * 2) s.timeline = thin(s.timeline);
    }
  }
}

function empty(): TaskStats {
  return {
    records: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
    blocks: {},
    verdicts: {},
    judgeScores: {},
    latency: LATENCY_EDGES.map(() => 0).concat(0),
    timeline: [],
    attempts: 0,
  };
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Halves a timeline's points, keeping the last. */
function thin(points: [number, number][]): [number, number][] {
  const out = points.filter((_, i) => i % 2 === 0);
  const last = points[points.length - 1]!;
  if (out[out.length - 1] !== last) out.push(last);
  return out;
}
