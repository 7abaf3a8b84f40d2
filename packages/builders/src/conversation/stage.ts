import type { BoundBlock, DgtEvent, RandomSource } from '@dgt/core';
import type { z } from 'zod';
import type { Conversation } from './steps.js';

/** What a stage learns about the task it serves when it is created. */
export type StageTask = {
  /** The task's name. */
  name: string;
  /** The task's `max_turns` and `min_turns` (user/assistant exchanges). */
  maxTurns: number;
  minTurns: number;
  /** Folder that relative paths in the stage's config resolve against (the task file's). */
  baseDir: string;
  /** The task's output folder. */
  outputDir: string;
  /** The task file's own keys (e.g. `tools:`), for stages that read task-wide settings. */
  config: Record<string, unknown>;
};

/** What a stage factory gets besides its config. */
export type StageInitContext = {
  task: StageTask;
  /**
   * The builder block a config key names (`generator: generator`); a clear error names the
   * stage, the key and the blocks that exist when there is no such block.
   */
  block(name: string, key?: string): BoundBlock;
  /** Shared, lazily built per-task resources (e.g. the `tools:` engines), by key. */
  shared<T>(key: string, make: () => T): T;
};

/** What one call of a stage gets besides the conversations. */
export type StageCallContext = {
  /** In-context example conversations of the task (seeds and earlier outputs), read-only. */
  examples: readonly Record<string, unknown>[];
  /** A seeded random source for this conversation and stage. */
  random: RandomSource;
  /** Aborted when the run stops. */
  signal: AbortSignal;
  emit(event: DgtEvent): void;
  /**
   * Says why the stage drops a conversation (it then leaves it out of its return value). The
   * reason is stored with the conversation in the task's reject store.
   */
  drop(conversation: Conversation, reason: string): void;
};

/**
 * A conversation stage (contract v1): takes the live conversations, appends steps to them, and
 * returns those that go on. Leaving one out drops it (say why with `ctx.drop`). Setup stages
 * (`initialization_stages`) run once per conversation, iteration stages once per turn until the
 * flow controller ends the conversation or `max_turns` is reached, termination stages once on
 * each finished conversation.
 */
export type ConversationStageV1 = {
  readonly specificationVersion: 'v1';
  readonly kind: 'conversation-stage';
  readonly name: string;
  run(conversations: Conversation[], ctx: StageCallContext): Promise<Conversation[]>;
};

/**
 * A stage type as a builder (or plugin) provides it: its name in task files
 * (`lm/user/guided`), a zod schema for its task-file config, and a factory.
 */
export type StageDefinitionV1<Schema extends z.ZodType = z.ZodType> = {
  readonly specificationVersion: 'v1';
  readonly kind: 'conversation-stage-definition';
  readonly name: string;
  readonly description?: string;
  readonly configSchema: Schema;
  create(
    config: z.output<Schema>,
    ctx: StageInitContext,
  ): Omit<ConversationStageV1, 'specificationVersion' | 'kind' | 'name'>;
};

/** Any stage definition version the conversation builder understands. */
export type StageDefinition = StageDefinitionV1<any>;

/**
 * Declares a conversation stage type; fills the contract brand and keeps the config type
 * inferred from its schema.
 *
 * @example
 * export const politeUser = defineConversationStage({
 *   name: 'acme/user/polite',
 *   configSchema: z.looseObject({ generator: z.string().default('generator') }),
 *   create: (config, ctx) => {
 *     const lm = ctx.block(config.generator, 'generator');
 *     return { async run(conversations) { … return conversations; } };
 *   },
 * });
 */
export function defineConversationStage<Schema extends z.ZodType>(
  definition: Omit<StageDefinitionV1<Schema>, 'specificationVersion' | 'kind'>,
): StageDefinitionV1<Schema> {
  return { ...definition, specificationVersion: 'v1', kind: 'conversation-stage-definition' };
}

/** True for a v1 stage definition (checked by shape, never `instanceof`). */
export function isStageDefinition(value: unknown): value is StageDefinition {
  const v = value as Partial<StageDefinition> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.specificationVersion === 'v1' &&
    v.kind === 'conversation-stage-definition' &&
    typeof v.name === 'string' &&
    typeof v.create === 'function'
  );
}
