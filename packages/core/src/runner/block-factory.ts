import type { BlockConfig } from '../config/builder-schema.js';
import { zodToDgtError } from '../config/zod-issues.js';
import { adaptBlockDefinition } from '../contracts/adapt.js';
import { brandBlock } from '../contracts/define.js';
import { isBlock } from '../contracts/guards.js';
import type { BlockDefinition, BlockInitContext, BlockV1 } from '../contracts/v1/block.js';
import { DgtError } from '../errors/dgt-error.js';
import { validateWithSchema } from '../schema/validate-schema.js';
import { applyRunSettings } from './builder-config.js';
import type { PlannedBuilder, RunPlan } from './plan-run.js';
import { unknownKeyWarnings } from './unknown-keys.js';

/**
 * Creates the blocks of a planned run: the builders' own and those blocks create for themselves
 * (`ctx.createBlock`). `dgt run` and `dgt validate` both go through it, so validation sees every
 * error a run would see when its blocks are created.
 */
export type BlockFactory = {
  /** The context every block's `create` receives. */
  readonly initContext: BlockInitContext;
  /** Creates one block of a planned builder from its validated config. */
  create(planned: PlannedBuilder, config: BlockConfig): Promise<BlockV1>;
  /**
   * Warnings about the configs of blocks made through `initContext.createBlock` (misspelled keys:
   * those configs live inside another block's settings, so planning never sees them).
   */
  readonly warnings: string[];
  /** Closes the blocks made through `initContext.createBlock` so far. */
  closeInner(): Promise<void>;
};

/** A {@link BlockFactory} for a plan; `purpose` is passed on to every block (see `BlockInitContext`). */
export function createBlockFactory(plan: RunPlan, purpose: 'run' | 'check'): BlockFactory {
  const inner: BlockV1[] = [];
  const warnings: string[] = [];
  const initContext: BlockInitContext = {
    outputDir: plan.builders[0]!.tasks[0]!.settings.outputRoot,
    env: plan.env,
    purpose,
    ...(plan.sharedStateUrl ? { sharedStateUrl: plan.sharedStateUrl } : {}),
    createBlock: async (config) => {
      const block = await createInnerBlock(plan, config, initContext, warnings);
      inner.push(block);
      return block;
    },
  };
  return {
    initContext,
    warnings,
    async create(planned, config) {
      const definition = planned.blockDefinitions.get(config.type)!;
      const block = branded(await definition.create(config, initContext), definition, config);
      if (!isBlock(block)) {
        throw new DgtError(
          'INVALID_PLUGIN',
          `block type "${config.type}" created something that is not a block (expected specificationVersion 'v1', kind 'block', and call()).`,
        );
      }
      return block;
    },
    async closeInner() {
      for (const block of inner.splice(0)) await block.close?.();
    },
  };
}

/** Creates a block for another block (`ctx.createBlock`), validated like the builder's own. */
async function createInnerBlock(
  plan: RunPlan,
  config: { type: string; name?: string; [key: string]: unknown },
  initContext: BlockInitContext,
  warnings: string[],
): Promise<BlockV1> {
  const name = config.name ?? config.type;
  const where = `block config "${name}"`;
  const load = async (type: string) => {
    const definition = adaptBlockDefinition(await plan.registry.load('blocks', type, where));
    if (!definition) {
      throw new DgtError(
        'INVALID_PLUGIN',
        `${where}: block type "${type}" does not export a block definition.`,
      );
    }
    return definition;
  };
  const definitions = new Map<string, BlockDefinition>([[config.type, await load(config.type)]]);
  if (plan.engine.type && !definitions.has(plan.engine.type))
    definitions.set(plan.engine.type, await load(plan.engine.type));
  const [effective] = applyRunSettings(
    { blocks: [{ ...config, name }] },
    plan.engine,
    (type) => definitions.get(type)?.settings,
  ).blocks as BlockConfig[];
  const definition = definitions.get(effective!.type)!;
  const parsed = validateWithSchema(definition.configSchema, effective);
  if (!parsed.success)
    throw zodToDgtError('INVALID_BLOCK_CONFIG', parsed.error, effective, () => where);
  for (const warning of unknownKeyWarnings({
    config: effective!,
    definition,
    parsed: parsed.data,
    where: () => 'in the settings of a block made by another block:',
  })) {
    if (!warnings.includes(warning)) warnings.push(warning);
  }
  const block = branded(
    await definition.create(
      { ...(parsed.data as object), name, type: effective!.type },
      initContext,
    ),
    definition,
    { name, type: effective!.type },
  );
  if (!isBlock(block))
    throw new DgtError(
      'INVALID_PLUGIN',
      `${where}: block type "${effective!.type}" created something that is not a block.`,
    );
  return block;
}

/**
 * Brands what a definition's `create` returned (definitions made with another copy of core, or
 * without `defineBlock`, return the bare implementation); anything without `call` stays unbranded
 * so the caller reports it.
 */
function branded(
  made: unknown,
  definition: BlockDefinition,
  config: { name: string; type: string },
): unknown {
  if (typeof made !== 'object' || made === null || typeof (made as BlockV1).call !== 'function')
    return made;
  return brandBlock(made as BlockV1, {
    role: definition.role,
    type: config.type,
    name: config.name,
  });
}
