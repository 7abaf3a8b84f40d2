import { createHash } from 'node:crypto';
import path from 'node:path';
import type { BlockCallContext, BlockOutput, BlockRow, BlockV1 } from '@dgt/core';
import { z } from 'zod';
import { settleRows, textOf } from '../shared/validator.js';
import { type Segment, SegmentLog } from './segment-log.js';

/** A similarity index over the accepted texts of one task (or one call). */
export type DedupIndex<Item> = {
  /** Why `item` duplicates an indexed item (e.g. its score), or `undefined` when it does not. */
  find(item: Item): string | undefined;
  add(item: Item): void;
};

/** What a dedup block plugs into {@link createDedupRunner}: how texts become index entries. */
export type DedupMethod<Item> = {
  prepare(text: string): Item;
  createIndex(): DedupIndex<Item>;
  /** Entries as JSON for the per-task state file, and back. */
  encode(items: Item[]): unknown;
  decode(data: unknown): Item[];
};

/** Where a dedup block compares: against everything accepted for the task, or within the call. */
export const dedupScopeSchema = z.enum(['task', 'call']);

/** Keys shared by the dedup blocks. */
export const dedupConfigShape = {
  /**
   * `task` (default): compare against every row accepted for the task so far (kept across calls
   * and, under `<taskDir>/blocks/<name>.index.jsonl`, across resume); `call`: only within a call.
   */
  scope: dedupScopeSchema.default('task'),
  /** Texts every row is also compared against (never stored, never rejected themselves). */
  context: z.array(z.string()).optional(),
};

type TaskState<Item> = {
  index: DedupIndex<Item>;
  log: SegmentLog | undefined;
  /** The last stored segment, applied or discarded at the first call after loading. */
  pending: Segment | undefined;
};

/**
 * The call logic shared by the dedup blocks. Rows are grouped by `task_name`; each row's `input`
 * is compared with the context texts, the task's accepted rows and the rows accepted earlier in
 * the call, and the first copy wins.
 *
 * Postprocessor calls (`ctx.phase === 'postprocess'`, over every accepted record of a task)
 * compare within the call only, so records are never duplicates of themselves.
 *
 * Resume: each call appends its accepted entries with a fingerprint of the call's rows. A run
 * killed after that append but before its records were saved replays the same rows; at the first
 * call after loading, a call whose fingerprint equals the last segment's is that replay, and the
 * segment is dropped instead of making every row a duplicate of itself.
 */
export function createDedupRunner<Item>(
  method: DedupMethod<Item>,
  config: { name: string; filter: boolean; scope: 'task' | 'call'; context?: string[] },
) {
  const tasks = new Map<string, Promise<TaskState<Item>>>();

  const load = async (task: string, ctx: BlockCallContext): Promise<TaskState<Item>> => {
    const dir = ctx.taskDir?.(task);
    const index = method.createIndex();
    if (!dir) return { index, log: undefined, pending: undefined };
    const log = new SegmentLog(path.join(dir, 'blocks', `${config.name}.index.jsonl`));
    const segments = await log.load();
    const pending = segments.pop();
    for (const segment of segments)
      for (const item of method.decode(segment.items)) index.add(item);
    return { index, log, pending };
  };

  const contextIndex = (texts: string[] | undefined) => {
    if (!texts?.length) return undefined;
    const index = method.createIndex();
    for (const text of texts) index.add(method.prepare(text));
    return index;
  };
  const configContext = contextIndex(config.context);

  return {
    async call(
      rows: BlockRow[],
      options: Record<string, unknown> | undefined,
      ctx: BlockCallContext,
    ): Promise<BlockOutput> {
      const scope = dedupScopeSchema.parse(
        options?.scope ?? (ctx.phase === 'postprocess' ? 'call' : config.scope),
      );
      const context =
        options?.context !== undefined
          ? contextIndex(z.array(z.string()).parse(options.context))
          : configContext;
      const byTask = new Map<string, number[]>();
      rows.forEach((row, i) => {
        const task = String(row.task_name ?? '');
        const positions = byTask.get(task);
        if (positions) positions.push(i);
        else byTask.set(task, [i]);
      });
      const reasons: (string | undefined)[] = new Array(rows.length);
      for (const [task, positions] of byTask) {
        const texts = positions.map((i) => textOf(rows[i]!.input));
        let state: TaskState<Item>;
        if (scope === 'call') {
          state = { index: method.createIndex(), log: undefined, pending: undefined };
        } else {
          if (!tasks.has(task)) tasks.set(task, load(task, ctx));
          state = await tasks.get(task)!;
        }
        const batch = state.log ? fingerprint(texts) : '';
        if (state.pending) {
          if (state.pending.batch !== batch)
            for (const item of method.decode(state.pending.items)) state.index.add(item);
          state.pending = undefined;
        }
        const added: Item[] = [];
        positions.forEach((position, k) => {
          const item = method.prepare(texts[k]!);
          const reason = context?.find(item) ?? state.index.find(item);
          reasons[position] = reason;
          if (reason === undefined) {
            state.index.add(item);
            added.push(item);
          }
        });
        if (state.log && added.length)
          await state.log.append({ batch, items: method.encode(added) });
      }
      return settleRows(rows, reasons, config.filter);
    },
    async close(): Promise<void> {
      for (const state of tasks.values()) await (await state).log?.close();
    },
  };
}

function fingerprint(texts: string[]): string {
  const hash = createHash('sha256');
  for (const text of texts) hash.update(text).update('\u0000');
  return hash.digest('base64url').slice(0, 22);
}

/** A dedup block instance: the shared runner behind the block contract. */
export function createDedupBlock<Item>(
  method: DedupMethod<Item>,
  config: {
    name: string;
    type: string;
    filter: boolean;
    scope: 'task' | 'call';
    context?: string[];
  },
): BlockV1 {
  const runner = createDedupRunner(method, config);
  return {
    specificationVersion: 'v1',
    kind: 'block',
    role: 'validator',
    type: config.type,
    name: config.name,
    call: runner.call,
    close: runner.close,
  };
}
