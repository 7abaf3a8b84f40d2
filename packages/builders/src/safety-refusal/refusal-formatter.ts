import { DgtError, defineFormatter, type StoredRecord } from '@dgt/core';
import { z } from 'zod';

/** Config of `formatters/safety/refusal`. */
export const refusalFormatterConfigSchema = z.looseObject({
  type: z.string().optional(),
  /** A system message put first. */
  system: z.string().optional(),
  /** Record fields copied beside `messages` (default: the risk and its group). */
  keep: z.array(z.string()).default(['risk', 'risk_group']),
});

/**
 * `formatters/safety/refusal`: a (harmful request, refusal) record as chat training data,
 * `{messages: [user: instruction, assistant: response], risk, risk_group}`.
 */
export const refusalFormatter = defineFormatter({
  description: 'Refusal pairs as chat messages (user request, assistant refusal) with their risk.',
  configSchema: refusalFormatterConfigSchema,
  create(config) {
    return {
      apply(record: StoredRecord) {
        const { instruction, response } = record;
        if (typeof instruction !== 'string' || typeof response !== 'string') {
          throw new DgtError(
            'INVALID_TASK',
            `the safety/refusal formatter needs "instruction" and "response" texts; the record has ${Object.keys(record).join(', ')}.`,
          );
        }
        return {
          messages: [
            ...(config.system ? [{ role: 'system', content: config.system }] : []),
            { role: 'user', content: instruction },
            { role: 'assistant', content: response },
          ],
          ...Object.fromEntries(
            config.keep.filter((key) => record[key] !== undefined).map((key) => [key, record[key]]),
          ),
        };
      },
    };
  },
});
