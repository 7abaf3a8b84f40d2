import type { ProvenanceEntry, RowNote } from '@dgt/core';
import type { RecordRow, TaskStats } from '../api-types.js';

export type { RecordRow, TaskSummary } from '../api-types.js';

/** Shapes of the viewer API's answers the browser app reads (see the server's api.ts). */
export type RecordPage = { total: number; rows: RecordRow[]; next?: number; scanned?: number };

export type LmNote = RowNote;

export type Provenance = ProvenanceEntry;

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

export type Stats = TaskStats & { latencyEdges: number[] };
