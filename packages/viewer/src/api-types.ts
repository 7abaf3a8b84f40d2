// Shapes of the viewer API's answers, shared by the server and the browser app.

/** One record as the app shows it. */
export type RecordRow = {
  index: number;
  id: string;
  record: Record<string, unknown>;
  review?: string;
};

/** A task's overview line. */
export type TaskSummary = {
  name: string;
  status: string;
  accepted: number;
  target?: number;
  rejects: Record<string, number>;
  /** Absent while the figures are still being counted (`source: counting`). */
  promptTokens?: number;
  completionTokens?: number;
  costUsd?: number;
  /**
   * `results`: the finished run's totals; `live`: summed from provenance.jsonl as it stands;
   * `counting`: a first pass over a big provenance.jsonl is under way.
   */
  source: 'results' | 'live' | 'counting';
  builder?: string;
};

/** Aggregates over a task's `provenance.jsonl` (accepted records only). */
export type TaskStats = {
  records: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  /** Per LM block: requests, tokens and cost of the requests that made accepted records. */
  blocks: Record<string, { requests: number; tokens: number; costUsd: number }>;
  /** Per validator block: how many accepted records it passed. */
  verdicts: Record<string, number>;
  /** Judge scores seen (value → records), for the score facet. */
  judgeScores: Record<string, number>;
  /** Counts per {@link LATENCY_EDGES} bucket (the last bucket is everything above). */
  latency: number[];
  /** Cumulative accepted records over time: [epoch ms, records]. */
  timeline: [number, number][];
  /** Records per attempt number. */
  attempts: number;
};
