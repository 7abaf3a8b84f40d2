import { DgtError } from '../errors/dgt-error.js';

const PATTERN = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` (and `${NAME:-default}`) in every string of a parsed config, as DiGiT does.
 * An unset variable without a default is a {@link DgtError} naming the variable and where it is
 * used, so a task never runs with a half-expanded path.
 */
export function expandEnv(
  value: unknown,
  env: Record<string, string | undefined>,
  where: (path: PropertyKey[]) => string,
  path: PropertyKey[] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(PATTERN, (_match, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      throw new DgtError(
        'MISSING_ENV',
        `${where(path)}: environment variable ${name} is not set (used in ${path.join('.') || 'the file'}). Set it in your shell or in a .env file.`,
      );
    });
  }
  if (Array.isArray(value))
    return value.map((item, i) => expandEnv(item, env, where, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        expandEnv(item, env, where, [...path, key]),
      ]),
    );
  }
  return value;
}
