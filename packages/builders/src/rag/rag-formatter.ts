import { defineFormatter } from '@dgt/core';
import { z } from 'zod';
import type { Conversation } from '../conversation/steps.js';
import { conversationMessages } from '../conversation/steps.js';
import { documentsOf } from './task-tools.js';

/**
 * `formatters/conversation/rag/static` (DiGiT's id): a RAG conversation as
 * `{conversation_id, messages, documents}`: the user/assistant turns, and the documents the
 * whole conversation was grounded in (from its `rag/scenario` step), for the trainer to place
 * in the prompt as it sees fit.
 */
export const ragStaticFormatter = defineFormatter({
  description: 'RAG conversations as {conversation_id, messages, documents}.',
  configSchema: z.looseObject({}),
  create() {
    return {
      apply(record) {
        const conversation = record as Conversation;
        const steps = Array.isArray(conversation.steps) ? conversation.steps : [];
        return {
          conversation_id: conversation.conversation_id,
          messages: conversationMessages({ steps }),
          documents: documentsOf({ ...conversation, steps }),
        };
      },
    };
  },
});
