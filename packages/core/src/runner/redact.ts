// Config keys whose values are secrets (`api_key`, `apiKey`, `access_token`, `client_secret`…),
// matched on the snake_case form of the key; `max_tokens` or `promptTokens` are not secrets.
const SECRET_KEY =
  /(^|_)(api_?key|access_token|auth_token|refresh_token|id_token|bearer_token|secret|password|passwd|authorization|credentials?)$|^token$/;
// Environment variables whose values are secrets (`OPENAI_API_KEY`, `WATSONX_API_TOKEN`, `HF_TOKEN`).
const SECRET_ENV = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;

const NONE: ReadonlySet<string> = new Set();

// Events repeat the same few keys thousands of times: remember each key's verdict.
const keyVerdicts = new Map<string, boolean>();

function isSecretKey(key: string): boolean {
  let secret = keyVerdicts.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase());
    if (keyVerdicts.size < 10_000) keyVerdicts.set(key, secret);
  }
  return secret;
}

/**
 * A value (config, event, record) with secret-looking values replaced, for task cards, logs and events. Keys are
 * matched by name; values equal to a known secret (e.g. an API key from the environment) are
 * replaced wherever they appear. Parts that hold no secret are returned as they are (not
 * copied), so redacting an event without secrets costs a walk over it and no allocation; a part
 * that does is copied, never changed in place.
 */
export function redactSecrets(value: unknown, secrets: ReadonlySet<string> = NONE): unknown {
  return redact(value, knownSecrets(secrets));
}

/**
 * Text with secrets removed: the user-info part of URLs (`http://user:pass@host` becomes
 * `http://***@host`) and every occurrence of a known secret value. The one redaction every
 * writer of DGT output goes through (events, task cards, results, logs, console, errors).
 */
export function redactText(text: string, secrets: ReadonlySet<string> = NONE): string {
  return redactString(text, knownSecrets(secrets));
}

// `scheme://user-info@`: everything between `//` and the first `@` of the authority.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@'"<>`]*@/gi;

function redactString(text: string, secrets: readonly string[]): string {
  let out = text;
  // Cheap checks first: events carry thousands of strings without a URL in them.
  if (out.includes('@') && out.includes('://')) out = out.replace(URL_CREDENTIALS, '$1***@');
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('***');
  return out;
}

function knownSecrets(secrets: ReadonlySet<string>): string[] {
  const known: string[] = [];
  for (const secret of secrets) if (secret.length >= 8) known.push(secret);
  return known;
}

function redact(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactString(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const clean = redact(item, secrets);
      if (clean !== item) {
        copy ??= value.slice();
        copy[i] = clean;
      }
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let copy: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const item = record[key];
    const clean =
      item !== null && item !== undefined && item !== '' && isSecretKey(key)
        ? '***'
        : redact(item, secrets);
    if (clean !== item) {
      // Copy everything before this key as it is; later keys are added as the walk reaches them.
      copy ??= Object.fromEntries(keys.slice(0, i).map((k) => [k, record[k]]));
      copy[key] = clean;
    } else if (copy) copy[key] = item;
  }
  return copy ?? value;
}

/** Values of environment variables whose names look secret: never to be written anywhere. */
export function secretValues(env: Record<string, string | undefined>): Set<string> {
  const found = new Set<string>();
  for (const [key, value] of Object.entries(env))
    if (value && SECRET_ENV.test(key)) found.add(value);
  return found;
}
