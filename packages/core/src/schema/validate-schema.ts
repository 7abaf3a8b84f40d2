import type { StandardSchemaV1 } from '../contracts/v1/standard-schema.js';
import { DgtError } from '../errors/dgt-error.js';

/** The outcome of {@link validateWithSchema}, shaped like zod's `safeParse`. */
export type SchemaValidation<Output> =
  | { success: true; data: Output }
  | { success: false; error: { issues: readonly SchemaIssue[] } };

/** A schema issue with its path as plain keys (Standard Schema also allows `{ key }` steps). */
export type SchemaIssue = Omit<StandardSchemaV1.Issue, 'path'> & { path: PropertyKey[] };

/**
 * Checks `value` against a plugin's schema through Standard Schema's `~standard.validate`, so a
 * plugin may use zod, valibot or any other library that implements it. Configs are validated
 * before anything runs and synchronously; a schema that answers with a promise is a plugin bug.
 */
export function validateWithSchema<Schema extends StandardSchemaV1>(
  schema: Schema,
  value: unknown,
): SchemaValidation<StandardSchemaV1.InferOutput<Schema>> {
  const result = schema['~standard'].validate(value);
  if (typeof (result as { then?: unknown }).then === 'function') {
    throw new DgtError(
      'INVALID_PLUGIN',
      `a ${schema['~standard'].vendor} schema validated asynchronously; config, task and record schemas must validate synchronously.`,
    );
  }
  const done = result as StandardSchemaV1.Result<StandardSchemaV1.InferOutput<Schema>>;
  return done.issues
    ? {
        success: false,
        error: {
          issues: done.issues.map((issue) => ({
            ...issue,
            path: (issue.path ?? []).map((step) =>
              typeof step === 'object' && step !== null ? step.key : step,
            ),
          })),
        },
      }
    : { success: true, data: done.value };
}
