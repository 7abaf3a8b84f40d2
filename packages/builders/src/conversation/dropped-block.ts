import { defineBlock } from '@dgt/core';
import { z } from 'zod';

/**
 * `conversation/dropped`: the validator through which the conversation builders hand over the
 * conversations a stage dropped (marked with a `drop_reason`). With `filter: true` they go to
 * the task's reject store (`blocks/<name>.jsonl`) with that reason; finished conversations
 * pass untouched.
 */
export const droppedConversationsBlock = defineBlock({
  role: 'validator',
  description: 'Stores the conversations a stage dropped, with the reason, as rejects.',
  configSchema: z.looseObject({ filter: z.boolean().default(true) }),
  create(config) {
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'validator',
      type: config.type,
      name: config.name,
      async call(rows) {
        const kept = [];
        const rejected = [];
        for (const row of rows) {
          const reason = row.drop_reason;
          if (typeof reason !== 'string') kept.push(row);
          else if (config.filter) rejected.push({ row, reason });
          else kept.push(Object.assign(row, { is_valid: false, invalid_reason: reason }));
        }
        return { rows: kept, rejected };
      },
    };
  },
});
