import type { DgtEvent, TaskSummary } from '@dgt/core';

/** Live numbers of one task, folded from events. */
export type TaskProgress = {
  task: string;
  target?: number;
  accepted: number;
  rejected: number;
  /** Rejected rows by block name. */
  rejectedBy: Record<string, number>;
  lmRequests: number;
  /** LM requests answered from the request cache. */
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  startedAt: number;
  /** Records present at start (resume): excluded from the rate. */
  resumed: number;
  done?: TaskSummary;
};

/** Folds events into per-task progress, for the TTY and plain reporters. */
export class ProgressBoard {
  readonly tasks = new Map<string, TaskProgress>();
  /** The run was asked to stop: lines say so and drop the ETA. */
  stopping = false;
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  apply(event: DgtEvent): TaskProgress | undefined {
    switch (event.type) {
      case 'run-stopping':
        this.stopping = true;
        return undefined;
      case 'task-start': {
        const progress: TaskProgress = {
          task: event.task,
          ...(event.target !== undefined ? { target: event.target } : {}),
          accepted: event.resumed,
          resumed: event.resumed,
          rejected: 0,
          rejectedBy: {},
          lmRequests: 0,
          cacheHits: 0,
          costUsd: 0,
          promptTokens: 0,
          completionTokens: 0,
          startedAt: this.now(),
        };
        this.tasks.set(event.task, progress);
        return progress;
      }
      case 'records': {
        const progress = this.tasks.get(event.task);
        if (progress) progress.accepted = event.accepted;
        return progress;
      }
      case 'block': {
        const progress = this.tasks.get(event.task);
        if (progress && event.rejected > 0) {
          progress.rejected += event.rejected;
          progress.rejectedBy[event.block] =
            (progress.rejectedBy[event.block] ?? 0) + event.rejected;
        }
        return progress;
      }
      case 'lm-request': {
        const progress = event.task ? this.tasks.get(event.task) : undefined;
        if (progress) {
          progress.lmRequests++;
          if (event.cached) progress.cacheHits++;
          progress.costUsd += event.costUsd ?? 0;
          progress.promptTokens += event.promptTokens;
          progress.completionTokens += event.completionTokens;
        }
        return progress;
      }
      case 'task-end': {
        const progress = this.tasks.get(event.task);
        if (progress) {
          progress.done = event;
          progress.accepted = event.accepted;
        }
        return progress;
      }
      default:
        return undefined;
    }
  }

  /** Records each task found on disk when it started, by task name. */
  resumed(): Map<string, number> {
    return new Map([...this.tasks].map(([task, progress]) => [task, progress.resumed]));
  }

  /** One line describing a task: counts, rate and ETA. */
  line(progress: TaskProgress): string {
    const seconds = Math.max(0.001, (this.now() - progress.startedAt) / 1000);
    const made = progress.accepted - progress.resumed;
    const counts =
      progress.target !== undefined
        ? `${Math.min(progress.accepted, progress.target)}/${progress.target}`
        : `${progress.accepted}`;
    const parts = [
      counts,
      `rejected ${progress.rejected}`,
      `${(progress.lmRequests / seconds).toFixed(1)} req/s`,
      `${formatCount(progress.promptTokens + progress.completionTokens)} tokens`,
      formatCost(progress.costUsd),
    ];
    if (progress.cacheHits) parts.push(`${progress.cacheHits} cached`);
    if (progress.done)
      parts.push(
        progress.done.cause
          ? `${progress.done.status} (${progress.done.cause})`
          : progress.done.status,
      );
    else if (this.stopping) parts.push('stopping (requests in flight finish)');
    else if (progress.target !== undefined && made > 0) {
      const left = Math.max(0, progress.target - progress.accepted);
      parts.push(`ETA ${formatDuration((left / made) * seconds * 1000)}`);
    }
    return `${progress.task}  ${parts.join('  ')}`;
  }
}

/** A progress bar of `width` cells for `done` out of `total`. */
export function progressBar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.min(width, Math.floor((done / total) * width)) : width;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** A count with thousands separators: `12,345`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** US dollars: `$0` when nothing is known, 4 decimals under a cent, else 2. */
export function formatCost(usd: number): string {
  if (usd === 0) return '$0';
  return usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** Human duration: `850ms`, `12s`, `3m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
