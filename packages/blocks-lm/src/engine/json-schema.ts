import { createRequire } from 'node:module';
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import { compileReplyCheck } from './reply-schema-check.js';

let ajv: Ajv2020 | undefined;
// Checks by schema text (`null`: the schema does not compile: only JSON syntax is checked).
const compiled = new Map<string, Checker | null>();
// The same, by schema object. Assumes a schema object is not changed once replies have been
// checked against it.
const bySchemaObject = new WeakMap<object, Checker | null>();

/**
 * The full validator, loaded on the first reply whose schema {@link compileReplyCheck} does not
 * read (most runs never need ajv). Schemas are not checked against the JSON Schema meta-schema (compiling that
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

type Checker = (value: unknown) => string | undefined;

/** A check by ajv, for schemas outside what {@link compileReplyCheck} reads. */
function ajvCheck(schema: Record<string, unknown>): Checker | undefined {
  // Schemas come from zod (draft 2020-12) or from users (often draft-07, which reads the same
  // for what structured output uses); the dialect URI itself is not needed to validate.
  const { $schema: _dialect, ...body } = schema;
  let validate: ValidateFunction;
  try {
    validate = validatorInstance().compile(body);
  } catch {
    return undefined;
  }
  return (value) =>
    validate(value)
      ? undefined
      : (validate.errors ?? [])
          .slice(0, 5)
          .map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`)
          .join('; ');
}

function checkerFor(schema: Record<string, unknown>): Checker | undefined {
  // Every reply of a call shares one schema object: look it up without serialising it.
  const known = bySchemaObject.get(schema);
  if (known !== undefined) return known ?? undefined;
  const key = JSON.stringify(schema);
  let check = compiled.get(key);
  if (check === undefined) {
    check = compileReplyCheck(schema) ?? ajvCheck(schema) ?? null;
    compiled.set(key, check);
  }
  bySchemaObject.set(schema, check);
  return check ?? undefined;
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
  const problem = checkerFor(schema)?.(value);
  if (problem === undefined) return { ok: true, value };
  return { ok: false, reason: `the JSON does not match the schema: ${problem}` };
}
