import type { BlockConfig } from '../config/builder-schema.js';
import type { BlockOutput, BlockV1, RejectedRow, RowNote } from '../contracts/v1/block.js';
import type { BoundBlock } from '../contracts/v1/builder.js';
import type { BlockRow } from '../contracts/v1/data-point.js';
import type { EventSink } from '../events/events.js';
import type { AttemptScope, RejectBuffer } from './attempt-scope.js';
import { attemptTraceOf, noteAttemptRequest, noteRow, noteVerdicts } from './row-trace.js';

/**
 * Receives the rows a block rejected, mapped back to the caller's rows. Inside an attempt they
 * go to the attempt's buffer (written when it commits); outside one (postprocessors), `rejects`
 * is undefined and they are written at once.
 */
export type RejectSink = (
  block: BlockV1,
  rejected: RejectedRow[],
  rejects: RejectBuffer | undefined,
) => Promise<void>;

type Phase = { phase?: 'attempt' | 'postprocess' };
type RunWith = (
  rows: BlockRow[],
  options: Record<string, unknown> | undefined,
  call: Phase | undefined,
  scope: AttemptScope | undefined,
) => Promise<BlockOutput>;

/**
 * A bound block as the runner holds it: besides what builders see, the same block with its
 * calls charged to one attempt (see `blocksForAttempt`). Carried on the bound block itself, not
 * in a module-level map.
 */
type RunnerBoundBlock = BoundBlock & { forAttempt?(scope: AttemptScope): BoundBlock };

/** A bound block whose calls run through `run`; `runWith`, when given, makes `forAttempt`. */
function boundFrom(
  block: Pick<BoundBlock, 'name' | 'type' | 'role'>,
  run: (rows: BlockRow[], options?: Record<string, unknown>, call?: Phase) => Promise<BlockOutput>,
  runWith?: RunWith,
): BoundBlock {
  const bound = (async (rows: BlockRow[], options?: Record<string, unknown>) =>
    (await run(rows, options)).rows) as RunnerBoundBlock;
  Object.defineProperties(bound, {
    name: { value: block.name },
    type: { value: block.type },
    role: { value: block.role },
    run: { value: run },
    ...(runWith
      ? {
          forAttempt: {
            value: (scope: AttemptScope) =>
              boundFrom(block, (rows, options, call) => runWith(rows, options, call, scope)),
          },
        }
      : {}),
  });
  return bound;
}

/**
 * The blocks as one attempt's builder call sees them: rows they reject are held in the
 * attempt's `rejects` buffer until the attempt commits, so a batch that runs again after a crash
 * does not store its rejects twice, and the cost of their LM requests is added to the attempt's
 * `costs`.
 */
export function blocksForAttempt(
  blocks: Record<string, BoundBlock>,
  scope: AttemptScope,
): Record<string, BoundBlock> {
  const out: Record<string, BoundBlock> = {};
  for (const [name, bound] of Object.entries(blocks) as [string, RunnerBoundBlock][])
    out[name] = typeof bound.forAttempt === 'function' ? bound.forAttempt(scope) : bound;
  return out;
}

/**
 * An event sink that also adds each LM request's cost to the attempt it was made in, and the
 * request to the attempt's trace (provenance).
 */
function chargingTo(scope: AttemptScope, emit: EventSink): EventSink {
  const trace = attemptTraceOf(scope);
  return (event) => {
    if (event.type === 'lm-request' && event.costUsd && event.task !== undefined) {
      scope.costs.set(event.task, (scope.costs.get(event.task) ?? 0) + event.costUsd);
    }
    if (event.type === 'lm-request' && event.task !== undefined && scope.requests)
      scope.requests.set(event.task, (scope.requests.get(event.task) ?? 0) + 1);
    if (event.type === 'lm-request') noteAttemptRequest(event, trace);
    emit(event);
  };
}

/**
 * Wraps a block instance for builders: applies `input_map`/`output_map` (DiGiT semantics),
 * reports per-task pass/reject counts, and hands rejected rows to the run's reject stores.
 */
export function bindBlock(
  block: BlockV1,
  config: BlockConfig,
  context: {
    emit: EventSink;
    signal: AbortSignal;
    /** The run's graceful stop: blocks start no new work once it aborts. */
    stopSignal?: AbortSignal;
    onReject: RejectSink;
    taskDir: (taskName: string) => string | undefined;
  },
): BoundBlock {
  const inputMap = config.input_map;
  const outputMap = config.output_map;
  // Fields a block was given under their mapped names; without an output_map they do not flow back.
  const mappedInputs = new Set(Object.values(inputMap ?? {}));

  const runWith: RunWith = async (rows, options, phase, scope) => {
    // Blocks write onto the rows they get; with an input_map they get fresh rows, so remember
    // which caller row each came from.
    const source = new Map<BlockRow, BlockRow>();
    const blockRows = rows.map((row) => {
      if (!inputMap) return row;
      const mapped: BlockRow = {};
      for (const [from, to] of Object.entries(inputMap)) mapped[to] = row[from];
      if (row.task_name !== undefined && mapped.task_name === undefined)
        mapped.task_name = row.task_name;
      source.set(mapped, row);
      return mapped;
    });
    // Provenance: which requests each row needed and what validators said of it.
    const trace = scope ? attemptTraceOf(scope) : undefined;
    const keysBefore = new WeakMap<BlockRow, Set<string>>();
    if (trace && block.role === 'validator')
      for (const row of rows) keysBefore.set(row, new Set(Object.keys(row)));
    const call = block.call(blockRows, options, {
      emit: scope ? chargingTo(scope, context.emit) : context.emit,
      signal: context.signal,
      ...(scope?.stopSignal || context.stopSignal
        ? { stopSignal: scope?.stopSignal ?? context.stopSignal }
        : {}),
      ...(scope?.unit ? { scope: scope.unit } : {}),
      taskDir: context.taskDir,
      phase: phase?.phase ?? 'attempt',
      ...(trace
        ? { note: (row: BlockRow, note: RowNote) => noteRow(source.get(row) ?? row, note, trace) }
        : {}),
    });
    scope?.entered?.();
    const output = await call;
    const back = (blockRow: BlockRow): BlockRow => {
      const row = source.get(blockRow);
      if (!row) return blockRow;
      if (outputMap) {
        for (const [from, to] of Object.entries(outputMap)) row[to] = blockRow[from];
      } else {
        for (const [key, value] of Object.entries(blockRow))
          if (!mappedInputs.has(key) && key !== 'task_name') row[key] = value;
      }
      return row;
    };
    if (!inputMap && outputMap) {
      for (const row of output.rows)
        for (const [from, to] of Object.entries(outputMap)) row[to] = row[from];
    }
    const passed = output.rows.map(back);
    const rejected = (output.rejected ?? []).map(({ row, reason }) => ({ row: back(row), reason }));
    reportCounts(block, passed, rejected, context.emit);
    if (trace && block.role === 'validator')
      noteVerdicts(block, passed, rejected, keysBefore, trace);
    if (rejected.length) await context.onReject(block, rejected, scope?.rejects);
    return { rows: passed, rejected };
  };

  return boundFrom(
    block,
    (rows, options, call) => runWith(rows, options, call, undefined),
    runWith,
  );
}

function reportCounts(
  block: BlockV1,
  passed: BlockRow[],
  rejected: RejectedRow[],
  emit: EventSink,
): void {
  const counts = new Map<string, { passed: number; rejected: number }>();
  const bump = (task: unknown, key: 'passed' | 'rejected') => {
    if (typeof task !== 'string') return;
    const entry = counts.get(task) ?? { passed: 0, rejected: 0 };
    entry[key]++;
    counts.set(task, entry);
  };
  for (const row of passed) bump(row.task_name, 'passed');
  for (const { row } of rejected) bump(row.task_name, 'rejected');
  for (const [task, { passed: p, rejected: r }] of counts) {
    emit({ type: 'block', block: block.name, blockType: block.type, task, passed: p, rejected: r });
  }
}
