import type { Databuilder } from '../contracts/v1/builder.js';
import { schemaKeys } from './unknown-keys.js';

/**
 * The fields of the records a builder reads (seeds or transformation inputs), from its input
 * schema, looking through preprocessing steps; empty when the schema does not say.
 *
 * @example
 * inputFields(simpleBuilder); // ['question', 'answer', 'context']
 */
export function inputFields(builder: Databuilder): string[] {
  const keys = builder.inputSchema ? schemaKeys(builder.inputSchema) : undefined;
  return [...(keys ?? [])].filter((key) => key !== 'task_name' && key !== 'is_seed');
}
