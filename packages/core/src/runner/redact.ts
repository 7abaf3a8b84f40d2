// Config keys whose values are secrets (`api_key`, `apiKey`, `access_token`, `client_secret`…),
// matched on the snake_case form of the key; `max_tokens` or `promptTokens` are not secrets.
const SECRET_KEY =
  /(^|_)(api_?key|access_token|auth_token|refresh_token|id_token|bearer_token|secret|password|passwd|authorization|credentials?)$|^token$/;
// Environment variables whose values are secrets (`OPENAI_API_KEY`, `WATSONX_API_TOKEN`, `HF_TOKEN`).
const SECRET_ENV = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase());
}

/**
 * A deep copy of a config with secret-looking values replaced, for task cards and logs. Keys are
 * matched by name; values equal to a known secret (e.g. an API key from the environment) are
 * replaced wherever they appear.
 */
export function redactSecrets(value: unknown, secrets: ReadonlySet<string> = new Set()): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const secret of secrets)
      if (secret.length >= 8 && out.includes(secret)) out = out.split(secret).join('***');
    return out;
  }
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, secrets));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        isSecretKey(key) && item !== null && item !== undefined && item !== ''
          ? '***'
          : redactSecrets(item, secrets),
      ]),
    );
  }
  return value;
}

/** Values of environment variables whose names look secret: never to be written anywhere. */
export function secretValues(env: Record<string, string | undefined>): Set<string> {
  const found = new Set<string>();
  for (const [key, value] of Object.entries(env))
    if (value && SECRET_ENV.test(key)) found.add(value);
  return found;
}
