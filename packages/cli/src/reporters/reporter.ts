import path from 'node:path';
import type { DgtEvent, RunResult, TaskStartEvent } from '@dgt/core';
import { BatchBoard } from './batch-progress.js';
import { summaryTable } from './summary-table.js';
import { ProgressBoard, progressBar } from './task-progress.js';

/** Turns run events into output. */
export type Reporter = {
  onEvent(event: DgtEvent): void;
  finish(result: RunResult | undefined): void;
};

type Streams = {
  /** Output paths in the summary are shown relative to this folder. */
  cwd?: string;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
};

/** A path relative to `cwd` when it lies below it. */
function shown(file: string, cwd: string | undefined): string {
  const relative = cwd ? path.relative(cwd, file) : file;
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/**
 * What to tell when a task starts from records of an earlier run (none for a fresh start): that
 * it resumes, or that it is already complete and nothing will be generated.
 */
export function resumeNotice(event: TaskStartEvent, cwd?: string): string | undefined {
  if (event.resumed === 0) return undefined;
  const where = shown(event.outputDir, cwd);
  if (event.target !== undefined && event.resumed >= event.target) {
    return `${event.task}: already complete: ${event.target}/${event.target} records from an earlier run are in ${where}; nothing to generate. --restart starts afresh.`;
  }
  const count = event.target !== undefined ? `${event.resumed}/${event.target}` : event.resumed;
  return `${event.task}: resuming: ${count} records from an earlier run are in ${where}. --restart starts afresh.`;
}

/**
 * `--json`: every event as one JSON line on stdout. Lines are gathered and written together once
 * the current burst of work yields (or 64 KiB have gathered): a run emits an event per LM
 * request, and stdout to a file or pipe is written synchronously, one system call per write.
 */
export function jsonReporter({ out }: Streams): Reporter {
  let pending = '';
  let scheduled: NodeJS.Immediate | undefined;
  const flush = () => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    if (pending === '') return;
    const text = pending;
    pending = '';
    out.write(text);
  };
  return {
    onEvent(event) {
      pending += `${JSON.stringify(event)}\n`;
      if (pending.length >= 65_536) flush();
      else scheduled ??= setImmediate(flush);
    },
    finish: flush,
  };
}

/**
 * `--debug` (DiGiT's flag): every event as a `debug:` JSON line on stderr, besides what `inner`
 * shows.
 */
export function debugReporter({ err }: Streams, inner: Reporter): Reporter {
  return {
    onEvent(event) {
      err.write(`debug: ${JSON.stringify(event)}\n`);
      inner.onEvent(event);
    },
    finish: (result) => inner.finish(result),
  };
}

/**
 * Not a terminal (CI, a pipe): a line when a task starts or ends, at most one progress line per
 * task every few seconds, warnings, and the summary.
 */
export function plainReporter({ out, err, cwd }: Streams, intervalMs = 2000): Reporter {
  const board = new ProgressBoard();
  const batches = new BatchBoard();
  const lastLine = new Map<string, number>();
  return {
    onEvent(event) {
      if (batches.apply(event) && event.type === 'lm-batch' && event.state !== 're-attached')
        err.write(`${batches.line()}\n`);
      const progress = board.apply(event);
      const notice = event.type === 'task-start' ? resumeNotice(event, cwd) : undefined;
      if (notice) err.write(`${notice}\n`);
      if (event.type === 'warning')
        err.write(`warning: ${event.task ? `${event.task}: ` : ''}${event.message}\n`);
      if (event.type === 'run-start')
        err.write(`dgt: running ${event.tasks.length} task(s), outputs in ${event.outputDir}\n`);
      if (event.type === 'run-stopping')
        for (const task of board.tasks.values()) if (!task.done) err.write(`${board.line(task)}\n`);
      if (!progress) return;
      const now = Date.now();
      const due =
        event.type === 'task-start' ||
        event.type === 'task-end' ||
        now - (lastLine.get(progress.task) ?? 0) >= intervalMs;
      if (
        due &&
        (event.type === 'task-start' || event.type === 'task-end' || event.type === 'records')
      ) {
        lastLine.set(progress.task, now);
        err.write(`${board.line(progress)}\n`);
      }
    },
    finish(result) {
      if (result) out.write(`\n${summaryTable(result.tasks, cwd, board.resumed())}\n`);
    },
  };
}

/**
 * A terminal: one live line per task (bar, accepted/target, rejected, req/s, tokens, cost, ETA),
 * redrawn in place ten times a second, then the summary.
 */
export function ttyReporter({ out, err, cwd }: Streams): Reporter {
  const board = new ProgressBoard();
  const batches = new BatchBoard();
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    const columns = err.columns ?? 100;
    const lines = [...board.tasks.values()].map((p) => {
      const bar = p.target !== undefined ? `${progressBar(p.accepted, p.target)} ` : '';
      return `${bar}${board.line(p)}`.slice(0, columns - 1);
    });
    const batchLine = batches.line();
    if (batchLine) lines.push(batchLine.slice(0, columns - 1));
    if (drawn > 0) err.write(`\x1b[${drawn}A`);
    for (const line of lines) err.write(`\x1b[2K${line}\n`);
    drawn = lines.length;
  };
  return {
    onEvent(event) {
      board.apply(event);
      batches.apply(event);
      const notice =
        event.type === 'warning'
          ? `warning: ${event.message}`
          : event.type === 'task-start'
            ? resumeNotice(event, cwd)
            : undefined;
      if (notice) {
        if (drawn > 0) err.write(`\x1b[${drawn}A\x1b[J`);
        drawn = 0;
        err.write(`${notice}\n`);
      }
      timer ??= setInterval(draw, 100);
      timer.unref();
    },
    finish(result) {
      if (timer) clearInterval(timer);
      draw();
      if (result) out.write(`\n${summaryTable(result.tasks, cwd, board.resumed())}\n`);
    },
  };
}
