import type { BlockV1 } from '../contracts/v1/block.js';
import { type DgtErrorCode, isDgtError } from '../errors/dgt-error.js';
import { createBlockFactory } from './block-factory.js';
import type { RunPlan } from './plan-run.js';

/** A block of a planned builder that could not be created, as `dgt validate` reports it. */
export type BlockProblem = {
  /** The builder id tasks use (`data_builder`). */
  builder: string;
  /** The block's name in the builder config, e.g. `generator`. */
  block: string;
  /** The block's type, e.g. `openai`. */
  type: string;
  /** The code of the `DgtError` its `create` threw. */
  code: DgtErrorCode;
  /** That error's message, prefixed with the block and builder it is about. */
  message: string;
};

/**
 * Creates every block of every builder of a plan, as `dgt run` does before its first request,
 * and closes each one again, to find what only shows when a block is instantiated: a missing API
 * key, a missing optional SDK, an invalid server URL, an unreadable price file. Blocks receive
 * `purpose: 'check'`, so they open no cache, file or connection; blocks they create for
 * themselves (`ctx.createBlock`) are checked with them. Every builder and block is tried, so one
 * failure does not hide the next. User errors (`DgtError`) are returned; anything else is a bug
 * and is thrown.
 *
 * @example
 * const plan = await planRun({ taskPaths: ['task.yaml'], registry });
 * for (const problem of await checkPlanBlocks(plan)) console.error(problem.message);
 */
export async function checkPlanBlocks(
  plan: RunPlan,
  options: {
    /** Receives warnings about the settings of blocks that blocks create (misspelled keys). */
    onWarning?: (message: string) => void;
  } = {},
): Promise<BlockProblem[]> {
  if (plan.builders.length === 0) return [];
  const factory = createBlockFactory(plan, 'check');
  const problems: BlockProblem[] = [];
  for (const planned of plan.builders) {
    for (const config of planned.blockConfigs) {
      let block: BlockV1 | undefined;
      try {
        block = await factory.create(planned, config);
      } catch (error) {
        if (!isDgtError(error)) throw error;
        problems.push({
          builder: planned.id,
          block: config.name,
          type: config.type,
          code: error.code,
          message: `block "${config.name}" (${config.type}) of builder ${planned.id}: ${error.message}`,
        });
      } finally {
        // Closed at once, with the blocks it made: a check holds one block's resources at a time.
        await block?.close?.();
        await factory.closeInner();
      }
    }
  }
  for (const warning of factory.warnings) options.onWarning?.(warning);
  return problems;
}
