import { defineBlock } from '@dgt/core';
import { z } from 'zod';
import { compileJsonSchema, describeSchemaError, readJson } from './shared/json-schema.js';
import { settleRows, validatorConfigShape } from './shared/validator.js';

const isZodSchema = (value: unknown): value is z.ZodType =>
  typeof (value as { safeParse?: unknown })?.safeParse === 'function';

/** Config of `json_schema`. */
export const jsonSchemaConfigSchema = z.looseObject({
  ...validatorConfigShape,
  schema: z
    .union([z.custom<z.ZodType>(isZodSchema), z.record(z.string(), z.unknown())])
    .describe(
      'A JSON Schema (YAML mapping), or — in a builder config written in code — a zod schema.',
    ),
  parse_json: z
    .boolean()
    .default(true)
    .describe('Parse string inputs as JSON first (default `true`); malformed JSON is invalid.'),
});

/**
 * `json_schema`: checks each row's `input` (a JSON text or an object) against a JSON Schema
 * (validated by Ajv, draft-07 or 2020-12, formats included) or a zod schema. Invalid rows get
 * every violation in their reason, e.g. `/age must be integer; (root): missing property "name"`.
 *
 * @example
 * blocks:
 *   - name: check
 *     type: json_schema
 *     filter: true
 *     input_map: { answer: input }
 *     schema: { type: object, required: [name], properties: { name: { type: string } } }
 */
export const jsonSchemaBlock = defineBlock({
  role: 'validator',
  description: 'Checks rows against a JSON Schema (Ajv) or a zod schema.',
  configSchema: jsonSchemaConfigSchema,
  create(config) {
    const check: (value: unknown) => string | undefined = isZodSchema(config.schema)
      ? (() => {
          const schema = config.schema;
          return (value: unknown) => {
            const result = schema.safeParse(value);
            return result.success
              ? undefined
              : result.error.issues
                  .map((issue) => `/${issue.path.join('/')} ${issue.message}`)
                  .join('; ');
          };
        })()
      : (() => {
          const validate = compileJsonSchema(
            config.schema as Record<string, unknown>,
            `block "${config.name}" (${config.type}), key schema`,
          );
          return (value: unknown) =>
            validate(value)
              ? undefined
              : (validate.errors ?? []).map(describeSchemaError).join('; ');
        })();
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'validator',
      type: config.type,
      name: config.name,
      async call(rows) {
        const reasons = rows.map((row) => {
          const read = config.parse_json ? readJson(row.input) : { value: row.input };
          if ('error' in read) return read.error;
          const problem = check(read.value);
          return problem === undefined ? undefined : `does not match the schema: ${problem}`;
        });
        return settleRows(rows, reasons, config.filter);
      },
    };
  },
});

export default jsonSchemaBlock;
