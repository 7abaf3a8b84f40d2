import { createRequire } from 'node:module';
import { DgtError } from '@dgt/core';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';

let draft7: Ajv | undefined;
let draft2020: Ajv2020 | undefined;

/**
 * ajv and ajv-formats, loaded by the first block that compiles a schema: loading them takes
 * ~50 ms, which every run would otherwise pay at start-up whether it validates JSON or not.
 */
function loadAjv() {
  const load = createRequire(import.meta.url);
  const formats = load('ajv-formats') as { default?: unknown };
  return {
    Ajv: (load('ajv') as typeof import('ajv')).Ajv,
    Ajv2020: (load('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')).Ajv2020,
    // ajv-formats is CommonJS with its plugin as `default`.
    addFormats: (formats.default ?? formats) as (ajv: Ajv) => void,
  };
}

/**
 * Compiles a JSON Schema with Ajv (draft 2020-12 when its `$schema` says so, else draft-07),
 * collecting every error and checking standard formats. A schema Ajv refuses is a config error
 * naming `where`.
 */
export function compileJsonSchema(
  schema: Record<string, unknown>,
  where: string,
): ValidateFunction {
  const is2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  let ajv: Ajv;
  if (is2020) {
    if (!draft2020) {
      const lib = loadAjv();
      draft2020 = new lib.Ajv2020({ allErrors: true, strict: false });
      lib.addFormats(draft2020 as unknown as Ajv);
    }
    ajv = draft2020 as unknown as Ajv;
  } else {
    if (!draft7) {
      const lib = loadAjv();
      draft7 = new lib.Ajv({ allErrors: true, strict: false });
      lib.addFormats(draft7);
    }
    ajv = draft7;
  }
  try {
    return ajv.compile(schema);
  } catch (cause) {
    throw new DgtError(
      'INVALID_BLOCK_CONFIG',
      `${where}: the JSON Schema is invalid: ${(cause as Error).message}.`,
      { cause },
    );
  }
}

/** One Ajv error as a short sentence, e.g. `/age must be integer`. */
export function describeSchemaError(error: ErrorObject): string {
  const at = error.instancePath || '(root)';
  if (error.keyword === 'required')
    return `${at}: missing property "${(error.params as { missingProperty: string }).missingProperty}"`;
  if (error.keyword === 'additionalProperties')
    return `${at}: unexpected property "${(error.params as { additionalProperty: string }).additionalProperty}"`;
  return `${at} ${error.message ?? 'is invalid'}`;
}

/** Reads a value that may be JSON text: strings are parsed, other values returned as they are. */
export function readJson(value: unknown): { value: unknown } | { error: string } {
  if (typeof value !== 'string') return { value };
  try {
    return { value: JSON.parse(value) };
  } catch (error) {
    return { error: `malformed JSON: ${(error as Error).message}` };
  }
}
