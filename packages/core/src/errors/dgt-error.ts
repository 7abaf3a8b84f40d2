/** Stable codes of user errors, for tools and tests to match on. */
export type DgtErrorCode =
  | 'TASK_FILE_NOT_FOUND'
  | 'YAML_SYNTAX'
  | 'INVALID_TASK'
  | 'INVALID_BUILDER_CONFIG'
  | 'INVALID_BLOCK_CONFIG'
  | 'INVALID_OVERRIDE'
  | 'UNKNOWN_BUILDER'
  | 'UNKNOWN_BLOCK_TYPE'
  | 'UNKNOWN_DATASTORE_TYPE'
  | 'UNKNOWN_FORMATTER'
  | 'DUPLICATE_PLUGIN_ID'
  | 'INVALID_PLUGIN'
  | 'DUPLICATE_TASK'
  | 'DATA_FILE'
  | 'MISSING_ENV'
  | 'MISSING_CREDENTIALS'
  | 'MISSING_DEPENDENCY'
  | 'LM_UNREACHABLE'
  | 'QUEUE_UNREACHABLE'
  | 'OUTPUT_PATH'
  | 'OUTPUT_IN_USE'
  | 'TEMPLATE'
  | 'USAGE'
  | 'INTERRUPTED'
  | 'DISK_FULL';

/**
 * A mistake the user can fix (a bad task file, an unknown builder, a missing key). Its message
 * names the place (file:line, key, record) and the fix; the CLI prints it without a stack trace
 * and exits 2. Anything else thrown is a bug and keeps its stack.
 */
export class DgtError extends Error {
  /** Brand checked by {@link isDgtError}: works across copies of core, unlike `instanceof`. */
  readonly dgtError = true as const;
  readonly code: DgtErrorCode;

  constructor(code: DgtErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DgtError';
    this.code = code;
  }
}

/** True for a {@link DgtError} from any copy of `@dgt/core`. */
export function isDgtError(value: unknown): value is DgtError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { dgtError?: unknown }).dgtError === true &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}

/**
 * Several user errors found in one pass (e.g. every unknown builder of a task folder), reported
 * together so the user fixes them all at once. Its `problems` keep each error's code and message.
 */
export type DgtErrorList = DgtError & { readonly problems: readonly DgtError[] };

/**
 * One error standing for `errors` (none → undefined, one → itself): the code of the first, a
 * message listing each, and `problems` holding them all.
 */
export function combineDgtErrors(errors: readonly DgtError[]): DgtError | undefined {
  if (errors.length <= 1) return errors[0];
  const combined = new DgtError(
    errors[0]!.code,
    `${errors.length} problems:\n${errors.map((error) => `  - ${error.message.replaceAll('\n', '\n    ')}`).join('\n')}`,
  ) as DgtError & { problems: readonly DgtError[] };
  combined.problems = errors;
  return combined;
}

/** The separate errors behind an error (its `problems`, or itself). */
export function dgtErrorProblems(error: DgtError): readonly DgtError[] {
  const problems = (error as Partial<DgtErrorList>).problems;
  return Array.isArray(problems) && problems.length > 0 ? problems : [error];
}
