import { randomUUID } from 'node:crypto';
import {
  type BoundBlock,
  type BuilderConfig,
  type DatabuilderV1,
  type DataPoint,
  DgtError,
  defineBuilder,
  type GenerationContext,
} from '@dgt/core';
import { z } from 'zod';
import { byTask } from '../shared/task-keys.js';
import { runValidators } from '../shared/validators.js';
import { runConversation, type TaskStages } from './run-conversation.js';
import type { ConversationStageV1, StageDefinition, StageInitContext } from './stage.js';
import { type Conversation, conversationMessages } from './steps.js';

const stageEntry = z.looseObject({ name: z.string().min(1) });

/** Seeds and outputs of the conversation builders: DiGiT's conversation records. */
export const conversationRecordSchema = z.looseObject({
  task_name: z.string(),
  is_seed: z.boolean().optional(),
  conversation_id: z.string().optional(),
  steps: z.array(z.looseObject({ role: z.string() })).optional(),
});

/** Task-file keys shared by the conversation builders (DiGiT's names). */
const baseTaskSchema = z.looseObject({
  /** Turns (user + assistant exchanges) after which a conversation ends (default 10). */
  max_turns: z.int().min(1).default(10),
  /** Conversations ending with fewer turns are rejected (default 1). */
  min_turns: z.int().min(1).default(1),
  initialization_stages: z.array(stageEntry).default([]),
  iteration_stages: z.array(stageEntry).default([]),
  termination_stages: z.array(stageEntry).default([]),
  /**
   * Example records drawn for each conversation's stages (default: the largest
   * `num_icl_examples` of its stages, at least 3).
   */
  num_icl_examples: z.int().min(0).optional(),
});

type ConversationTask = z.output<typeof baseTaskSchema>;
const PHASES = ['initialization_stages', 'iteration_stages', 'termination_stages'] as const;

/** What {@link createConversationBuilder} needs. */
export type ConversationBuilderOptions = {
  name: string;
  description: string;
  /** The builder YAML (path or object). */
  config: BuilderConfig | string;
  /** The stage types task files may name. */
  stages: readonly StageDefinition[];
  /** Further task-file keys the builder reads (e.g. `tools:`), validated when the run is planned. */
  taskKeys?: z.ZodRawShape;
};

function taskSchemaFor(stages: ReadonlyMap<string, StageDefinition>, keys: z.ZodRawShape = {}) {
  // The extra keys are part of the object, so the run knows them (unknown-key warnings); their
  // parsed values are read by the stages, not through this type.
  const schema = baseTaskSchema.extend(keys) as unknown as typeof baseTaskSchema;
  return schema.superRefine((task, ctx) => {
    if (task.min_turns > task.max_turns)
      ctx.addIssue({
        code: 'custom',
        path: ['min_turns'],
        message: `min_turns (${task.min_turns}) is above max_turns (${task.max_turns})`,
      });
    for (const phase of PHASES) {
      for (const [i, entry] of task[phase].entries()) {
        const definition = stages.get(entry.name);
        if (!definition) {
          ctx.addIssue({
            code: 'custom',
            path: [phase, i, 'name'],
            message: `unknown stage "${entry.name}"; known stages: ${[...stages.keys()].sort().join(', ')}`,
          });
          continue;
        }
        const { name: _name, ...config } = entry;
        const parsed = definition.configSchema.safeParse(config);
        if (!parsed.success) {
          for (const issue of parsed.error.issues)
            ctx.addIssue({ ...issue, path: [phase, i, ...issue.path] } as never);
        }
      }
    }
  });
}

/**
 * Builds a conversation databuilder (`core/conversation` and builders on it, such as
 * `public/rag/conversation`) over a set of stage types. Each batch item starts one
 * conversation; all conversations of a call run concurrently, each at its own pace, so a slow
 * reply holds up only its own conversation while the LM block keeps the server busy with the
 * others. Finished conversations are records with `conversation_id`, `steps` (every stage's
 * output, DiGiT's form) and `messages` (the user/assistant turns); dropped ones go through the
 * `dropped` block to the reject store with the stage's reason.
 */
export function createConversationBuilder(options: ConversationBuilderOptions): DatabuilderV1 {
  const stages = new Map(options.stages.map((stage) => [stage.name, stage]));
  const taskSchema = taskSchemaFor(stages, options.taskKeys);
  // Per task config object: its parsed settings and shared resources (personas, corpora).
  const tasks = new WeakMap<object, { task: ConversationTask; shared: Map<string, unknown> }>();

  function taskState(ctx: GenerationContext, taskName: string) {
    const config = ctx.tasks[taskName] ?? {};
    let state = tasks.get(config);
    if (!state) {
      const parsed = taskSchema.safeParse(config);
      if (!parsed.success) {
        throw new DgtError(
          'INVALID_TASK',
          `task "${taskName}": ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      }
      state = { task: parsed.data, shared: new Map() };
      tasks.set(config, state);
    }
    return state;
  }

  function resolveStages(ctx: GenerationContext, taskName: string): TaskStages {
    const { task, shared } = taskState(ctx, taskName);
    const location = ctx.taskLocations[taskName];
    const init: StageInitContext = {
      task: {
        name: taskName,
        maxTurns: task.max_turns,
        minTurns: task.min_turns,
        baseDir: location?.baseDir ?? process.cwd(),
        outputDir: location?.outputDir ?? process.cwd(),
        config: ctx.tasks[taskName] ?? {},
      },
      block(name: string, key = 'generator'): BoundBlock {
        const block = ctx.blocks[name];
        if (!block) {
          throw new DgtError(
            'INVALID_TASK',
            `task "${taskName}": a stage's ${key}: names block "${name}", which builder ${options.name} does not have (blocks: ${Object.keys(ctx.blocks).join(', ')}).`,
          );
        }
        return block;
      },
      shared<T>(key: string, make: () => T): T {
        if (!shared.has(key)) {
          const value = make();
          // A resource loads in the background until a stage awaits it: its failure must not
          // surface as an unhandled rejection before then.
          if (value instanceof Promise) value.catch(() => undefined);
          shared.set(key, value);
        }
        return shared.get(key) as T;
      },
    };
    const build = (phase: (typeof PHASES)[number]): ConversationStageV1[] =>
      task[phase].map(({ name, ...config }) => {
        const definition = stages.get(name)!;
        return {
          ...definition.create(definition.configSchema.parse(config), init),
          specificationVersion: 'v1',
          kind: 'conversation-stage',
          name,
        };
      });
    return {
      initialization: build('initialization_stages'),
      iteration: build('iteration_stages'),
      termination: build('termination_stages'),
      maxTurns: task.max_turns,
      minTurns: task.min_turns,
    };
  }

  return defineBuilder({
    kind: 'generation',
    name: options.name,
    description: options.description,
    config: options.config,
    inputSchema: conversationRecordSchema,
    outputSchema: conversationRecordSchema,
    taskSchema,
    async call(batch, ctx) {
      const runs: Promise<DataPoint>[] = [];
      for (const [taskName, items] of byTask(batch)) {
        const stagesOfTask = resolveStages(ctx, taskName);
        const { task } = taskState(ctx, taskName);
        // Enough examples for the stage that shows the most (DiGiT sets it per stage).
        const perStage = PHASES.flatMap((phase) => task[phase]).map((entry) =>
          typeof entry.num_icl_examples === 'number' ? entry.num_icl_examples : 0,
        );
        const shown = task.num_icl_examples ?? Math.max(3, ...perStage);
        items.forEach((_item, i) => {
          // Drawn before any request starts, so the same attempt shows the same examples.
          const examples = ctx.sampleExamples(taskName, shown);
          const random = ctx.random.fork(`${taskName}#conversation#${i}`);
          const start: Conversation = {
            task_name: taskName,
            is_seed: false,
            conversation_id: randomUUID(),
            steps: [],
          };
          runs.push(
            runConversation(start, stagesOfTask, () => ({
              examples,
              random,
              signal: ctx.signal,
              emit: ctx.emit,
            })).then((outcome) =>
              outcome.ok
                ? {
                    ...outcome.conversation,
                    messages: conversationMessages(outcome.conversation),
                  }
                : { ...outcome.conversation, drop_reason: outcome.reason },
            ),
          );
        });
      }
      let records = await Promise.all(runs);
      const dropped = ctx.blocks.dropped;
      if (dropped) records = (await dropped(records)) as DataPoint[];
      else records = records.filter((record) => record.drop_reason === undefined);
      return runValidators(ctx, records, ['dropped']);
    },
  });
}
