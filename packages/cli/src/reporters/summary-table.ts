import type { TaskSummary } from '@dgt/core';
import { formatDuration } from './task-progress.js';

/** The end-of-run table: one row per task, then where the files are. */
export function summaryTable(tasks: readonly TaskSummary[]): string {
  const header = [
    'task',
    'status',
    'accepted',
    'rejected',
    'attempts',
    'LM calls',
    'failed',
    'tokens',
    'time',
  ];
  const rows = tasks.map((t) => [
    t.task,
    t.status,
    t.target !== undefined ? `${t.accepted}/${t.target}` : String(t.accepted),
    Object.entries(t.rejected)
      .map(([block, n]) => `${block}:${n}`)
      .join(' ') || '0',
    String(t.attempts),
    String(t.lmRequests),
    String(t.lmFailures),
    String(t.promptTokens + t.completionTokens),
    formatDuration(t.durationMs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const format = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const lines = [format(header), format(widths.map((w) => '-'.repeat(w))), ...rows.map(format)];
  for (const t of tasks) {
    lines.push(`${t.task}: ${t.outputDir}${t.reason ? `  (${t.reason})` : ''}`);
  }
  return lines.join('\n');
}
