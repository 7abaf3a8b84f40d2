import { createRequire } from 'node:module';
import { extractJson, labelledAsSchema } from '@dgt/core';
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

/**
 * The JSON in a reply: bare, fenced, or the first balanced object or array in the text (core's
 * shared reply parser); `undefined` if there is none.
 */
export function parseJsonReply(text: string): unknown {
  return extractJson(text);
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
  // Every reading of the reply is tried before a repair request is worth its cost: its JSON,
  // then its labelled text (`**Question:** …`) shaped like the schema.
  const check = checkerFor(schema);
  const value = parseJsonReply(text);
  const problem = value === undefined ? undefined : check?.(value);
  if (value !== undefined && problem === undefined) return { ok: true, value };
  const labelled = labelledAsSchema(text, schema);
  if (labelled !== undefined && check?.(labelled) === undefined)
    return { ok: true, value: labelled };
  if (value === undefined) return { ok: false, reason: 'the reply is not valid JSON' };
  return { ok: false, reason: `the JSON does not match the schema: ${problem}` };
}
