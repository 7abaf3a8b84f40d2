import { createRequire } from 'node:module';
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();
// The same, by schema object (`null`: the schema does not compile). Assumes a schema object is
// not changed once replies have been checked against it.
const bySchemaObject = new WeakMap<object, ValidateFunction | null>();

/**
 * The validator, loaded on the first reply that has a schema to check (most runs' start-up does
 * not need ajv). Schemas are not checked against the JSON Schema meta-schema (compiling that
 * costs more than all of a run's reply schemas); ajv still refuses keywords of the wrong shape.
 */
function validatorInstance(): Ajv2020 {
  if (!ajv) {
    const { Ajv2020: Ajv } = createRequire(import.meta.url)(
      'ajv/dist/2020.js',
    ) as typeof import('ajv/dist/2020.js');
    ajv = new Ajv({
      strict: false,
      allErrors: false,
      validateFormats: false,
      validateSchema: false,
    });
  }
  return ajv;
}

/** JSON.parse that also accepts a reply wrapped in a Markdown code fence; `undefined` if neither parses. */
export function parseJsonReply(text: string): unknown {
  for (const candidate of [text, /```(?:json)?\s*([\s\S]*?)```/.exec(text)?.[1]]) {
    if (candidate === undefined) continue;
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next form
    }
  }
  return undefined;
}

function validatorFor(schema: Record<string, unknown>): ValidateFunction | undefined {
  // Every reply of a call shares one schema object: look it up without serialising it.
  const known = bySchemaObject.get(schema);
  if (known !== undefined) return known ?? undefined;
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (validate) {
    bySchemaObject.set(schema, validate);
    return validate;
  }
  // Schemas come from zod (draft 2020-12) or from users (often draft-07, which reads the same
  // for what structured output uses); the dialect URI itself is not needed to validate.
  const { $schema: _dialect, ...body } = schema;
  try {
    validate = validatorInstance().compile(body);
  } catch {
    bySchemaObject.set(schema, null);
    return undefined;
  }
  compiled.set(key, validate);
  bySchemaObject.set(schema, validate);
  return validate;
}

/**
 * Checks a reply against a JSON Schema. Returns the parsed value, or the reason it is not valid
 * JSON for the schema. A schema the validator cannot compile only checks that the reply parses.
 */
export function checkJsonReply(
  text: string,
  schema: Record<string, unknown>,
): { ok: true; value: unknown } | { ok: false; reason: string } {
  const value = parseJsonReply(text);
  if (value === undefined) return { ok: false, reason: 'the reply is not valid JSON' };
  const validate = validatorFor(schema);
  if (!validate || validate(value)) return { ok: true, value };
  const reason = (validate.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`)
    .join('; ');
  return { ok: false, reason: `the JSON does not match the schema: ${reason}` };
}
