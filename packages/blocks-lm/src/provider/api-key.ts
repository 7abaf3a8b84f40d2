import { DgtError } from '@dgt/core';

/** Where {@link loadApiKey} looks for a key, and whom to name when there is none. */
export type LoadApiKeyOptions = {
  /** The key given in the block's configuration (`api_key`); wins when set. */
  apiKey: string | undefined;
  /** The environment to fall back on (the block's `ctx.env`). */
  env: Record<string, string | undefined>;
  /** Environment variables to try in order, e.g. `GEMINI_API_KEY`; the first is named in errors. */
  variable: string | readonly string[];
  /** The block, named in the error: `Block "generator" (type gemini)`. */
  block: { name: string; type: string };
  /** Another way to authenticate, added to the error message (e.g. "or WATSONX_API_TOKEN (a bearer token)"). */
  alternative?: string;
};

/**
 * Finds a provider's API key: the block's `api_key`, else the first of `variable` set in the
 * environment. An empty value (`OPENAI_API_KEY=` in a .env file) counts as unset. Returns
 * `undefined` when there is none; {@link loadApiKey} throws instead.
 */
export function findApiKey(
  options: Omit<LoadApiKeyOptions, 'block' | 'alternative'>,
): string | undefined {
  if (options.apiKey) return options.apiKey;
  const variables = typeof options.variable === 'string' ? [options.variable] : options.variable;
  for (const variable of variables) {
    const value = options.env[variable];
    if (value) return value;
  }
  return undefined;
}

/**
 * Loads a provider's API key: the block's `api_key`, else the environment (`variable`, in order).
 * With neither, throws a `DgtError` (`MISSING_CREDENTIALS`) naming the block and the variable to
 * set, which the CLI prints without a stack trace.
 *
 * @example
 * const apiKey = loadApiKey({
 *   apiKey: settings.apiKey,
 *   env,
 *   variable: 'GEMINI_API_KEY',
 *   block,
 * });
 */
export function loadApiKey(options: LoadApiKeyOptions): string {
  const key = findApiKey(options);
  if (key) return key;
  const variables = typeof options.variable === 'string' ? [options.variable] : options.variable;
  const named = variables.join(' or ');
  const alternative = options.alternative ? ` ${options.alternative}` : '';
  throw new DgtError(
    'MISSING_CREDENTIALS',
    `Block "${options.block.name}" (type ${options.block.type}): no API key — set ${named}${alternative} in the environment (or .env), or the block's "api_key" key.`,
  );
}
