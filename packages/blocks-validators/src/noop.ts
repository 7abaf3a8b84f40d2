import { defineBlock } from '@dgt/core';
import { z } from 'zod';

/**
 * `noop`: a validator that accepts every row. DiGiT builder configs use it as a placeholder
 * validator slot, which an override can later fill with a real check.
 */
export const noopBlock = defineBlock({
  role: 'validator',
  description: 'Accepts every row (a placeholder validator, as in DiGiT).',
  configSchema: z.looseObject({}),
  create(config) {
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'validator',
      type: config.type,
      name: config.name,
      async call(rows) {
        return { rows };
      },
    };
  },
});

export default noopBlock;
