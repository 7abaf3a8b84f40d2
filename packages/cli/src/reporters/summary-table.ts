import path from 'node:path';
import { addLmUsage, type BlockLmUsage, emptyLmUsage, type TaskSummary } from '@dgt/core';
import { formatCost, formatCount, formatDuration } from './task-progress.js';

/** Cells padded to their column's width, two spaces apart, with a rule under the header. */
function alignColumns(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const format = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...rows.map(format)];
}

/**
 * LM usage per block over every task of the run: one row per block and model. Shown when the
 * run used more than one LM block (a generator and a judge, say), where the task rows alone
 * cannot tell which of them spent the tokens.
 */
function blockUsageLines(tasks: readonly TaskSummary[]): string[] {
  const byBlock = new Map<string, BlockLmUsage & { block: string }>();
  for (const task of tasks) {
    for (const [block, usage] of Object.entries(task.lmUsage ?? {})) {
      const key = `${block}\u0000${usage.provider}\u0000${usage.model}`;
      const total = byBlock.get(key) ?? { block, ...emptyLmUsage(usage.provider, usage.model) };
      addLmUsage(total, usage);
      byBlock.set(key, total);
    }
  }
  if (byBlock.size < 2) return [];
  const rows = [...byBlock.values()].map((u) => [
    u.block,
    `${u.provider} ${u.model}`,
    String(u.requests - u.cacheHits),
    String(u.cacheHits),
    String(u.failures),
    formatCount(u.promptTokens),
    formatCount(u.completionTokens),
    formatCost(u.costUsd),
  ]);
  const header = [
    'LM block',
    'model',
    'LM calls',
    'cached',
    'failed',
    'prompt',
    'completion',
    'cost',
  ];
  return ['', ...alignColumns(header, rows)];
}

const ALREADY_COMPLETE = 'already complete';

/**
 * A task's status cell: `already complete` for a generation task that had its target on disk
 * before this run started (a rerun of a finished task: nothing was generated).
 */
function statusOf(task: TaskSummary, resumed: number): string {
  const done = task.target !== undefined && resumed >= task.target;
  return task.status === 'completed' && done ? ALREADY_COMPLETE : task.status;
}

/**
 * The end-of-run table: one row per task (accepted, rejected per block, LM calls actually made,
 * cache hits, failures, tokens, cost, time), totals when there are several tasks, LM usage per
 * block when the run used several LM blocks, then where each task's files are.
 */
export function summaryTable(
  tasks: readonly TaskSummary[],
  cwd?: string,
  /** Records each task found on disk when it started (resume), by task name. */
  resumed: ReadonlyMap<string, number> = new Map(),
): string {
  const header = [
    'task',
    'status',
    'accepted',
    'rejected',
    'LM calls',
    'cached',
    'failed',
    'tokens',
    'cost',
    'time',
  ];
  const row = (t: Omit<TaskSummary, 'builder' | 'outputDir' | 'status'> & { status: string }) => [
    t.task,
    // The LM error behind a task that did not complete belongs in its row, not only the footer.
    t.cause ? `${t.status} (${t.cause})` : t.status,
    t.target !== undefined ? `${t.accepted}/${t.target}` : String(t.accepted),
    Object.entries(t.rejected)
      .filter(([, n]) => n > 0)
      .map(([block, n]) => `${block}:${n}`)
      .join(' ') || '0',
    // Requests answered from the cache cost nothing: they are not LM calls.
    String(t.lmRequests - t.cacheHits),
    String(t.cacheHits),
    String(t.lmFailures),
    formatCount(t.promptTokens + t.completionTokens),
    formatCost(t.costUsd),
    formatDuration(t.durationMs),
  ];
  const rows = tasks.map((t) => row({ ...t, status: statusOf(t, resumed.get(t.task) ?? 0) }));
  if (tasks.length > 1) {
    const sum = (pick: (t: TaskSummary) => number) => tasks.reduce((n, t) => n + pick(t), 0);
    const rejected: Record<string, number> = {};
    for (const t of tasks)
      for (const [block, n] of Object.entries(t.rejected))
        rejected[block] = (rejected[block] ?? 0) + n;
    rows.push(
      row({
        task: 'total',
        status: tasks.every((t) => t.status === 'completed') ? 'completed' : 'incomplete',
        accepted: sum((t) => t.accepted),
        rejected,
        attempts: sum((t) => t.attempts),
        lmRequests: sum((t) => t.lmRequests),
        cacheHits: sum((t) => t.cacheHits),
        lmFailures: sum((t) => t.lmFailures),
        promptTokens: sum((t) => t.promptTokens),
        completionTokens: sum((t) => t.completionTokens),
        costUsd: sum((t) => t.costUsd),
        durationMs: Math.max(...tasks.map((t) => t.durationMs)),
      }),
    );
  }
  const lines = [...alignColumns(header, rows), ...blockUsageLines(tasks)];
  lines.push('', 'files:');
  for (const t of tasks) {
    const file =
      t.status === 'completed' && t.finalData ? t.finalData : path.join(t.outputDir, 'data.jsonl');
    const relative = cwd ? path.relative(cwd, file) : file;
    const shown = relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
    const notes = [
      ...(t.reason ? [t.reason] : []),
      ...(resumed.get(t.task) && statusOf(t, resumed.get(t.task)!) !== ALREADY_COMPLETE
        ? [`resumed with ${resumed.get(t.task)} records from an earlier run`]
        : []),
    ];
    lines.push(`  ${t.task}: ${shown}${notes.length ? `  (${notes.join('; ')})` : ''}`);
  }
  return lines.join('\n');
}
