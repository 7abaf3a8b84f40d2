import { z } from 'zod';
import { defineConversationStage } from '../stage.js';
import { type Conversation, conversationMessages } from '../steps.js';
import { askLm, cleanTurn } from './lm-call.js';

/** Config of `lm/assistant/naive`. */
export const assistantStageConfig = z.looseObject({
  generator: z.string().default('generator'),
  /** System message of the assistant (default: a helpful assistant). */
  system_prompt: z.string().optional(),
});

const DEFAULT_SYSTEM = 'You are a helpful, knowledgeable assistant. Answer clearly and accurately.';

/**
 * `lm/assistant/naive`: the assistant's reply, the LM answering the conversation so far as
 * itself (system message plus the user/assistant turns).
 */
export const assistantStage = defineConversationStage({
  name: 'lm/assistant/naive',
  description: "The assistant's reply to the conversation so far.",
  configSchema: assistantStageConfig,
  create(config, init) {
    const lm = init.block(config.generator, 'generator');
    return {
      async run(conversations, ctx) {
        const out: Conversation[] = [];
        for (const conversation of conversations) {
          const reply = await askLm(lm, conversation.task_name, [
            { role: 'system', content: config.system_prompt ?? DEFAULT_SYSTEM },
            ...conversationMessages(conversation),
          ]);
          const text = cleanTurn(reply.text);
          if (!text) {
            ctx.drop(conversation, reply.error ?? 'the assistant turn came back empty');
            continue;
          }
          conversation.steps.push({
            role: 'assistant',
            content: text,
            stage_name: 'lm/assistant/naive',
            scores: {},
            metadata: {},
          });
          out.push(conversation);
        }
        return out;
      },
    };
  },
});
