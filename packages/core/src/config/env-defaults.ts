import path from 'node:path';

/**
 * DiGiT's environment defaults: `DGT_DATA_DIR` is the `data` folder of the working directory
 * when unset (or empty), so its task files' `${DGT_DATA_DIR}/…` paths resolve as they do there.
 */
export function withDigitEnvDefaults(
  env: Record<string, string | undefined>,
  cwd: string,
): Record<string, string | undefined> {
  if (env.DGT_DATA_DIR) return env;
  return { ...env, DGT_DATA_DIR: path.join(cwd, 'data') };
}
