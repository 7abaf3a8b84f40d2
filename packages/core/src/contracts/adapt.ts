import { isBlockDefinition } from './guards.js';
import type { BlockDefinitionV1 } from './v1/block.js';

/** The block definition version the runner works with. */
export type CurrentBlockDefinition = BlockDefinitionV1<any>;

/**
 * Turns a block definition of any contract version this core accepts into the version the
 * runner works with, so old plugins keep running when the contract moves on (as vercel/ai wraps
 * a `LanguageModelV2` so the SDK sees a V3). Only v1 exists, so this is the identity; a v2 would
 * add a branch wrapping a v1 definition. `undefined` for anything that is not a definition.
 */
export function adaptBlockDefinition(value: unknown): CurrentBlockDefinition | undefined {
  if (!isBlockDefinition(value)) return undefined;
  switch (value.specificationVersion) {
    case 'v1':
      return value;
  }
}
