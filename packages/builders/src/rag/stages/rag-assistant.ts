import type { ChatMessage } from '@dgt/core';
import { z } from 'zod';
import { defineConversationStage } from '../../conversation/stage.js';
import { askLm, cleanTurn, stagePrompt } from '../../conversation/stages/lm-call.js';
import { type Conversation, conversationMessages, transcript } from '../../conversation/steps.js';
import { renderDocuments } from '../../tools/documents.js';
import { documentsOf } from '../task-tools.js';

const MAX_REWRITES = 3;

const critiqueSchema = {
  name: 'rag_grounding_check',
  schema: {
    type: 'object',
    properties: {
      reasoning: { type: 'string' },
      grounded: { type: 'string', enum: ['yes', 'no'] },
      issues: { type: 'string' },
    },
    required: ['reasoning', 'grounded', 'issues'],
    additionalProperties: false,
  },
};

/** Config of `lm/assistant/rag/static`. */
export const ragAssistantConfig = z.looseObject({
  generator: z.string().default('generator'),
  /** The LM block that checks grounding (default: the generator). */
  critic: z.string().optional(),
  /** Rewrites asked for when the check fails (default 1, at most 3, as DiGiT). */
  max_retries: z.int().min(0).default(1),
});

/** Reads a grounding verdict: `yes`/`no` (or a boolean), with the issues found. */
export function readVerdict(value: Record<string, unknown> | undefined): {
  grounded: boolean;
  issues: string;
} {
  const raw = value?.grounded ?? value?.valid ?? value?.faithful;
  const grounded = raw === true || (typeof raw === 'string' && /^\s*(yes|true)\b/i.test(raw));
  const issues = typeof value?.issues === 'string' ? value.issues.trim() : '';
  return { grounded, issues };
}

/**
 * `lm/assistant/rag/static`: the assistant answers from the conversation's documents (all of
 * them in its system message); a second request checks that every claim is supported by them.
 * A failed check asks for a rewrite naming the unsupported claims, up to `max_retries` times;
 * an answer that never passes drops the conversation with the last issues as the reason.
 * The kept turn's `scores.faithfulness` is 1 and `metadata.rewrites` says how many it took.
 */
export const ragAssistantStage = defineConversationStage({
  name: 'lm/assistant/rag/static',
  description: 'Answers from the documents; a grounding check asks for rewrites until it passes.',
  configSchema: ragAssistantConfig,
  create(config, init) {
    const lm = init.block(config.generator, 'generator');
    const critic = config.critic ? init.block(config.critic, 'critic') : lm;
    const rewrites = Math.min(config.max_retries, MAX_REWRITES);
    return {
      async run(conversations, ctx) {
        const [system, critique, rewrite] = await Promise.all([
          stagePrompt('rag/assistant.txt'),
          stagePrompt('rag/critique.txt'),
          stagePrompt('rag/rewrite.txt'),
        ]);
        const out: Conversation[] = [];
        for (const conversation of conversations) {
          const documents = renderDocuments(documentsOf(conversation));
          const messages: ChatMessage[] = [
            { role: 'system', content: system.render({ documents }) },
            ...conversationMessages(conversation),
          ];
          let answer = '';
          let issues = '';
          let attempt = 0;
          let grounded = false;
          for (; attempt <= rewrites; attempt++) {
            const reply = await askLm(lm, conversation.task_name, messages);
            answer = cleanTurn(reply.text);
            if (!answer) {
              issues = reply.error ?? 'the assistant turn came back empty';
              break;
            }
            const check = await askLm(
              critic,
              conversation.task_name,
              [
                {
                  role: 'user',
                  content: critique.render({
                    documents,
                    transcript: transcript(conversation),
                    answer,
                  }),
                },
              ],
              critiqueSchema,
            );
            const verdict = readVerdict(check.value);
            if (verdict.grounded) {
              grounded = true;
              break;
            }
            issues = verdict.issues || check.error || 'the check found unsupported claims';
            messages.push(
              { role: 'assistant', content: answer },
              { role: 'user', content: rewrite.render({ issues }) },
            );
          }
          if (!grounded) {
            ctx.drop(
              conversation,
              answer
                ? `the answer was not grounded in the documents after ${rewrites} rewrite(s): ${issues}`
                : issues,
            );
            continue;
          }
          conversation.steps.push({
            role: 'assistant',
            content: answer,
            stage_name: 'lm/assistant/rag/static',
            scores: { faithfulness: 1 },
            metadata: { rewrites: attempt },
          });
          out.push(conversation);
        }
        return out;
      },
    };
  },
});
