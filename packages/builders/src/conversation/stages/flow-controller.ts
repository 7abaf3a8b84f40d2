import { z } from 'zod';
import { pickByWeight } from '../../shared/weighted-pick.js';
import { defineConversationStage, type StageCallContext, type StageInitContext } from '../stage.js';
import { type Conversation, stepsOf, transcript, userTurns } from '../steps.js';
import { askLm, stagePrompt } from './lm-call.js';
import { scenarioOf } from './scenario.js';

const patternSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  /** Guidance handed to the user stage when this pattern is chosen. */
  hint: z.string().optional(),
  /** Relative chance among the eligible patterns (default 1). */
  weight: z.number().nonnegative().default(1),
});

/** Config of `lm/flow_controller` (and its RAG variant). */
export const flowControllerConfig = z
  .looseObject({
    generator: z.string().default('generator'),
    patterns: z.array(patternSchema).min(1, 'list at least one pattern'),
    /** Patterns that end the conversation when chosen. */
    termination_patterns: z.array(z.string()).default([]),
    /** The turn limit the controller steers towards (default: the task's max_turns). */
    max_turns: z.int().positive().optional(),
  })
  .superRefine((config, ctx) => {
    const names = new Set(config.patterns.map((p) => p.name));
    for (const [i, name] of config.termination_patterns.entries()) {
      if (!names.has(name))
        ctx.addIssue({
          code: 'custom',
          path: ['termination_patterns', i],
          message: `"${name}" is not one of the patterns (${[...names].join(', ')})`,
        });
    }
  });

type FlowConfig = z.output<typeof flowControllerConfig>;

/** Options of a flow-controller stage: what extra context its prompt shows. */
export type FlowControllerOptions = { context?: (conversation: Conversation) => string };

/**
 * Creates a flow controller over `config`: one LM request per turn lists the patterns that fit
 * the conversation (structured output restricted to the pattern names); the next pattern is
 * drawn among those by weight. Termination patterns are left out before the task's `min_turns`
 * (so no conversation is wasted by ending too early) and pressed for near the turn limit. The
 * `flow_controller` step records the pattern, `terminate`, the pattern's `hint`, the
 * eligible list and the LM's reasoning.
 */
export function createFlowController(
  config: FlowConfig,
  init: StageInitContext,
  stageName: string,
  options: FlowControllerOptions = {},
) {
  const lm = init.block(config.generator, 'generator');
  const maxTurns = config.max_turns ?? init.task.maxTurns;
  const termination = new Set(config.termination_patterns);
  const reply = {
    name: 'flow_controller',
    schema: {
      type: 'object',
      properties: {
        reasoning: { type: 'string' },
        eligible_patterns: {
          type: 'array',
          items: { type: 'string', enum: config.patterns.map((p) => p.name) },
        },
      },
      required: ['reasoning', 'eligible_patterns'],
      additionalProperties: false,
    },
  };
  return {
    async run(conversations: Conversation[], ctx: StageCallContext) {
      const template = await stagePrompt('conversation/flow_controller.txt');
      const out: Conversation[] = [];
      for (const conversation of conversations) {
        const turns = userTurns(conversation);
        const tooEarly = turns < init.task.minTurns;
        const offered = config.patterns.filter((p) => !(tooEarly && termination.has(p.name)));
        const history = stepsOf(conversation, 'flow_controller').map((s) => String(s.content));
        const answer = await askLm(
          lm,
          conversation.task_name,
          [
            {
              role: 'user',
              content: template.render({
                scenario: scenarioOf(conversation),
                context: options.context?.(conversation),
                transcript: transcript(conversation),
                history,
                patterns: offered,
                termination: [...termination],
                near_end: !tooEarly && turns >= Math.max(1, maxTurns - 1) && termination.size > 0,
                too_early: tooEarly && termination.size > 0,
              }),
            },
          ],
          reply,
        );
        if (answer.error) {
          ctx.drop(conversation, `the flow controller's reply could not be read: ${answer.error}`);
          continue;
        }
        const listed = Array.isArray(answer.value?.eligible_patterns)
          ? answer.value.eligible_patterns.map(String)
          : [];
        const eligible = offered.filter((p) => listed.includes(p.name));
        // A reply naming no known pattern still leaves every offered pattern possible.
        const chosen = pickByWeight(
          eligible.length ? eligible : offered,
          ctx.random,
          (p) => p.weight,
        );
        conversation.steps.push({
          role: 'flow_controller',
          content: chosen.name,
          stage_name: stageName,
          scores: {},
          metadata: {},
          terminate: termination.has(chosen.name),
          hint: chosen.hint ?? chosen.description ?? chosen.name,
          reasoning: typeof answer.value?.reasoning === 'string' ? answer.value.reasoning : null,
          eligible_patterns: eligible.map((p) => p.name),
        });
        out.push(conversation);
      }
      return out;
    },
  };
}

/**
 * `lm/flow_controller`: chooses the kind of the next user turn (or the end of the
 * conversation) from the task's `patterns`, by LM judgement and weight.
 */
export const flowControllerStage = defineConversationStage({
  name: 'lm/flow_controller',
  description: 'Chooses the next turn pattern (or the end) by LM judgement and pattern weight.',
  configSchema: flowControllerConfig,
  create: (config, init) => createFlowController(config, init, 'lm/flow_controller'),
});
