import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * DiGiT's own task, config and data files: `$DGT_COMPAT_DIR`, else `../shared/compat/fms-dgt`
 * beside the repository (where CI puts them). Read from there, never copied into the project.
 */
export const COMPAT = path.resolve(
  process.env.DGT_COMPAT_DIR ?? path.resolve(REPO, '../shared/compat/fms-dgt'),
);

/** Whether `CI` is set to a true value, as CI services do (`CI=true`, `CI=1`). */
function inCi(env: Record<string, string | undefined>): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/**
 * Whether the DiGiT compat files are there, so their tests run. On a developer's machine a missing
 * folder skips them; in CI it throws, so the compat tests fail instead of passing by skipping.
 */
export function compatAvailable(
  dir: string = COMPAT,
  env: Record<string, string | undefined> = process.env,
): boolean {
  if (existsSync(dir)) return true;
  if (inCi(env)) {
    throw new Error(
      `DiGiT's compat files are missing: ${dir} does not exist. CI must provide them (../shared/compat/fms-dgt beside the repository, or DGT_COMPAT_DIR); the DiGiT compatibility tests cannot run without them.`,
    );
  }
  return false;
}
