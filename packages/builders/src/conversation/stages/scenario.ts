import type { BoundBlock } from '@dgt/core';
import { z } from 'zod';
import { defineConversationStage, type StageCallContext } from '../stage.js';
import { type Conversation, lastStep, stepText } from '../steps.js';
import { askLm, stagePrompt } from './lm-call.js';

const scenarioSchema = {
  name: 'conversation_scenario',
  schema: {
    type: 'object',
    properties: { scenario: { type: 'string' } },
    required: ['scenario'],
    additionalProperties: false,
  },
};

/**
 * Asks the LM for a scenario with `prompt` and returns it, or drops the conversation (with the
 * reason) and returns `undefined` when the reply holds none.
 */
export async function askScenario(
  lm: BoundBlock,
  conversation: Conversation,
  prompt: string,
  ctx: StageCallContext,
): Promise<string | undefined> {
  const reply = await askLm(
    lm,
    conversation.task_name,
    [{ role: 'user', content: prompt }],
    scenarioSchema,
  );
  const scenario = typeof reply.value?.scenario === 'string' ? reply.value.scenario.trim() : '';
  if (scenario) return scenario;
  ctx.drop(conversation, reply.error ?? 'the scenario reply was empty');
  return undefined;
}

/** The scenario text of an example record: its last scenario step, or a `scenario` field. */
export function exampleScenario(example: Record<string, unknown>): string | undefined {
  const steps = example.steps;
  if (Array.isArray(steps)) {
    for (let i = steps.length - 1; i >= 0; i--) {
      const step = steps[i] as { role?: unknown; content?: unknown } | null;
      if (typeof step?.role === 'string' && step.role.endsWith('scenario')) {
        if (typeof step.content === 'string' && step.content.trim()) return step.content.trim();
      }
    }
  }
  return typeof example.scenario === 'string' && example.scenario.trim()
    ? example.scenario.trim()
    : undefined;
}

/** The scenario of a conversation (its last scenario step, whatever stage wrote it). */
export function scenarioOf(conversation: Conversation): string {
  for (let i = conversation.steps.length - 1; i >= 0; i--) {
    const step = conversation.steps[i]!;
    if (step.role === 'scenario' || step.role.endsWith('/scenario')) return stepText(step);
  }
  return '';
}

/** The persona text of a conversation's user, if a persona stage set one. */
export function personaOf(conversation: Conversation): string {
  return stepText(lastStep(conversation, 'persona'));
}

/** Config of `lm/scenario`. */
export const scenarioStageConfig = z.looseObject({
  /** The LM block that writes scenarios (a block name of the builder). */
  generator: z.string().default('generator'),
  /** How many example scenarios (from seeds and earlier outputs) the prompt shows. */
  num_icl_examples: z.int().min(0).default(3),
});

/**
 * `lm/scenario`: asks the LM for a new conversation scenario, showing scenarios of example
 * conversations so it writes a different one. Appends a `scenario` step.
 */
export const scenarioStage = defineConversationStage({
  name: 'lm/scenario',
  description: 'An LM writes the scenario of the conversation, shown earlier scenarios.',
  configSchema: scenarioStageConfig,
  create(config, init) {
    const lm = init.block(config.generator, 'generator');
    return {
      async run(conversations, ctx) {
        const template = await stagePrompt('conversation/scenario.txt');
        const examples = ctx.examples
          .map(exampleScenario)
          .filter((s): s is string => s !== undefined);
        const out: Conversation[] = [];
        for (const conversation of conversations) {
          const scenario = await askScenario(
            lm,
            conversation,
            template.render({
              task_description: init.task.config.task_description,
              examples: ctx.random.sample(examples, config.num_icl_examples),
            }),
            ctx,
          );
          if (!scenario) continue;
          conversation.steps.push({
            role: 'scenario',
            content: scenario,
            stage_name: 'lm/scenario',
            scores: {},
            metadata: {},
            scenario_family_id: conversation.conversation_id,
          });
          out.push(conversation);
        }
        return out;
      },
    };
  },
});
