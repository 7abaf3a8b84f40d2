/** Shapes of the viewer API's answers (see the server's api.ts). */
export type TaskSummary = {
  name: string;
  status: string;
  accepted: number;
  target?: number;
  rejects: Record<string, number>;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  source: 'results' | 'live';
  builder?: string;
};

export type RecordRow = {
  index: number;
  id: string;
  record: Record<string, unknown>;
  review?: string;
};

export type RecordPage = { total: number; rows: RecordRow[]; next?: number; scanned?: number };

export type LmNote = {
  block: string;
  provider: string;
  model: string;
  cacheKey?: string;
  requestHash?: string;
  ok: boolean;
  cached: boolean;
  promptTokens: number;
  completionTokens: number;
  costUsd?: number;
  durationMs: number;
  retries: number;
  prompt?: unknown;
  response?: string;
  error?: string;
};

export type Provenance = {
  id: string;
  time: string;
  run_id?: string;
  attempt: number;
  builder?: { id: string; version: string };
  blocks?: Record<string, string>;
  templates?: { file: string; sha256: string }[];
  lm_attribution: string;
  lm: LmNote[];
  examples?: string[];
  verdicts: {
    block: string;
    type: string;
    verdict: string;
    reason?: string;
    fields?: Record<string, unknown>;
  }[];
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  usage_share?: number;
  edited_from?: string;
  missing?: boolean;
};

export type RecordDetail = RecordRow & {
  provenance?: Provenance;
  decision?: { decision: string; time: string; record?: unknown };
};

export type Facets = {
  fields: { field: string; values: { value: string; count: number }[] }[];
  sampled: number;
  verdicts: Record<string, number>;
  judgeScores: Record<string, number>;
  review: Record<string, number>;
};

export type Stats = {
  records: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  blocks: Record<string, { requests: number; tokens: number; costUsd: number }>;
  verdicts: Record<string, number>;
  latency: number[];
  latencyEdges: number[];
  timeline: [number, number][];
  attempts: number;
};
