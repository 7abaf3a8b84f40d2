import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
const compiled = new Map<string, ValidateFunction>();

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
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (validate) return validate;
  // Schemas come from zod (draft 2020-12) or from users (often draft-07, which reads the same
  // for what structured output uses); the dialect URI itself is not needed to validate.
  const { $schema: _dialect, ...body } = schema;
  try {
    validate = ajv.compile(body);
  } catch {
    return undefined;
  }
  compiled.set(key, validate);
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
