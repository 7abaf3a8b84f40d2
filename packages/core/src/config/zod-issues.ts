import type { StandardSchemaV1 } from '../contracts/v1/standard-schema.js';
import { DgtError, type DgtErrorCode } from '../errors/dgt-error.js';

/** Describes a value's type the way a user reads it in YAML. */
function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `the text ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  return `${typeof value} ${String(value)}`;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let node = data;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** A schema issue: Standard Schema's fields, plus zod's details when a zod schema made it. */
type Issue = StandardSchemaV1.Issue & {
  code?: string;
  expected?: string;
  minimum?: unknown;
  keys?: readonly string[];
};

const pathOf = (issue: Issue): PropertyKey[] =>
  (issue.path ?? []).map((step) => (typeof step === 'object' && step !== null ? step.key : step));

/**
 * Turns schema issues (zod's, or any Standard Schema library's) into one {@link DgtError} whose
 * lines name `file:line`, the key, what was found and what is expected.
 */
export function zodToDgtError(
  code: DgtErrorCode,
  error: { readonly issues: readonly Issue[] },
  data: unknown,
  where: (path: readonly PropertyKey[]) => string,
  prefix: readonly PropertyKey[] = [],
): DgtError {
  const lines = error.issues.slice(0, 8).map((issue) => {
    const issuePath = pathOf(issue);
    const path = [...prefix, ...issuePath];
    const key = path.length ? path.map(String).join('.') : '(top level)';
    const found = valueAt(data, issuePath);
    let message = issue.message;
    if (issue.code === 'invalid_type') {
      message =
        found === undefined
          ? `missing required key; add \`${String(path.at(-1))}:\` with ${issue.expected === 'string' ? 'a text value' : `a ${issue.expected}`}`
          : `expected ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a mapping' : `a ${issue.expected}`}, found ${describe(found)}`;
    } else if (issue.code === 'too_small' && typeof found === 'number') {
      message = `must be at least ${String(issue.minimum)}, found ${found}`;
    } else if (issue.code === 'unrecognized_keys' && issue.keys) {
      message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    }
    return `${where(path)}: ${key}: ${message}`;
  });
  const more = error.issues.length > 8 ? `\n(and ${error.issues.length - 8} more)` : '';
  return new DgtError(code, lines.join('\n') + more);
}
