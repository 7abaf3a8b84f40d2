import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Returns `env` completed with the variables of `<cwd>/.env`, if that file exists. Variables
 * already set win, as with dotenv, so a shell export overrides the file.
 */
export async function withDotEnv(
  cwd: string,
  env: Record<string, string | undefined>,
): Promise<Record<string, string | undefined>> {
  const text = await readFile(path.join(cwd, '.env'), 'utf8').catch(() => undefined);
  if (text === undefined) return env;
  const fromFile = parseEnv(text) as Record<string, string>;
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) merged[key] = value;
  return merged;
}
