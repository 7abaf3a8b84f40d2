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
