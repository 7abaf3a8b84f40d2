const SECRET_KEY = /(api[_-]?key|token|secret|password|authorization|credential)/i;

/**
 * A deep copy of a config with secret-looking values replaced, for task cards and logs. Keys are
 * matched by name; values equal to a known secret (e.g. an API key from the environment) are
 * replaced wherever they appear.
 */
export function redactSecrets(value: unknown, secrets: ReadonlySet<string> = new Set()): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const secret of secrets) if (secret.length >= 8 && out.includes(secret)) out = out.split(secret).join('***');
    return out;
  }
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, secrets));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        SECRET_KEY.test(key) && item !== null && item !== undefined && item !== '' ? '***' : redactSecrets(item, secrets),
      ]),
    );
  }
  return value;
}

/** Values of environment variables whose names look secret: never to be written anywhere. */
export function secretValues(env: Record<string, string | undefined>): Set<string> {
  const found = new Set<string>();
  for (const [key, value] of Object.entries(env)) if (value && SECRET_KEY.test(key)) found.add(value);
  return found;
}
