import type { BlockSettingsV1 } from '@dgt/core';

/**
 * DiGiT's files name the LM a block calls `lm_config`, ours `lm`: a zod preprocess step that
 * reads `lm_config` as `lm` when `lm` is absent.
 */
export function withLmAlias(value: unknown): unknown {
  const config = value as Record<string, unknown> | null;
  if (
    config &&
    typeof config === 'object' &&
    config.lm === undefined &&
    config.lm_config !== undefined
  ) {
    const { lm_config, ...rest } = config;
    return { ...rest, lm: lm_config };
  }
  return value;
}

/**
 * Settings of a block that holds the config of the LM it calls (a judge, a tagger): `lm:` (ours)
 * or `lm_config:` (DiGiT's) are one setting in two spellings, and override files merge into it
 * key by key, so an override naming only the judge's model keeps its temperature.
 */
export const lmHolderSettings: BlockSettingsV1 = {
  spellings: [['lm', 'lm_config']],
  nestedBlockKeys: ['lm', 'lm_config'],
};
