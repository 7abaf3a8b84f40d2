/**
 * DiGiT's files name a block's own LM `lm_config`; DGT's blocks call it `lm`. Both spellings are
 * accepted: this maps `lm_config` onto `lm` before the config schema reads it.
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
