import { z } from 'zod';
import { defineConversationStage, type StageCallContext, type StageInitContext } from '../stage.js';
import { type Conversation, lastStep, transcript } from '../steps.js';
import { askLm, cleanTurn, stagePrompt } from './lm-call.js';
import { personaOf, scenarioOf } from './scenario.js';

/** Config of `lm/user/guided` (and its RAG variant). */
export const userStageConfig = z.looseObject({
  generator: z.string().default('generator'),
});

/**
 * Creates a user-turn stage: the LM plays the user (scenario, persona) and writes a message
 * that does what the flow controller's last hint says. `documents` adds what the user may ask
 * about.
 */
export function createUserStage(
  config: z.output<typeof userStageConfig>,
  init: StageInitContext,
  stageName: string,
  documents?: (conversation: Conversation) => string,
) {
  const lm = init.block(config.generator, 'generator');
  return {
    async run(conversations: Conversation[], ctx: StageCallContext) {
      const template = await stagePrompt('conversation/user.txt');
      const out: Conversation[] = [];
      for (const conversation of conversations) {
        const control = lastStep(conversation, 'flow_controller');
        const reply = await askLm(lm, conversation.task_name, [
          {
            role: 'user',
            content: template.render({
              scenario: scenarioOf(conversation),
              persona: personaOf(conversation),
              documents: documents?.(conversation),
              hint:
                typeof control?.hint === 'string'
                  ? control.hint
                  : 'Continue the conversation naturally.',
              transcript: transcript(conversation),
            }),
          },
        ]);
        const text = cleanTurn(reply.text);
        if (!text) {
          ctx.drop(conversation, reply.error ?? 'the user turn came back empty');
          continue;
        }
        conversation.steps.push({
          role: 'user',
          content: text,
          stage_name: stageName,
          scores: {},
          metadata: control ? { pattern: control.content } : {},
        });
        out.push(conversation);
      }
      return out;
    },
  };
}

/** `lm/user/guided`: the simulated user's next message, guided by the flow controller. */
export const userStage = defineConversationStage({
  name: 'lm/user/guided',
  description: "The simulated user's next message, following the flow controller's hint.",
  configSchema: userStageConfig,
  create: (config, init) => createUserStage(config, init, 'lm/user/guided'),
});
