/**
 * An interpreted check of replies against the part of JSON Schema that structured-output schemas
 * are written in (types, properties, required, additionalProperties, items, enum, const,
 * anyOf/oneOf/allOf, string and number bounds, pattern, local `$ref`s). Loading and compiling
 * ajv costs ~50 ms at the first reply of a run — more than checking every reply of a typical run
 * this way — so schemas in this subset are checked here and only others go to ajv.
 *
 * {@link compileReplyCheck} returns `undefined` for a schema that uses a validation keyword
 * outside the subset (the caller falls back to ajv). Keywords that are not JSON Schema
 * validation keywords are ignored, as ajv does with `strict: false`; `format` is ignored, as the
 * ajv instance for replies does not validate formats.
 */

/** Checks a value; returns why it is invalid (the first problem found), or `undefined`. */
export type ReplyCheck = (value: unknown) => string | undefined;

type Node = (value: unknown, path: string) => string | undefined;

/** Validation keywords ajv knows and this module does not: their schemas go to ajv. */
const DELEGATED = new Set([
  '$id',
  '$anchor',
  '$dynamicRef',
  '$dynamicAnchor',
  '$recursiveRef',
  '$recursiveAnchor',
  'not',
  'if',
  'then',
  'else',
  'dependentSchemas',
  'dependentRequired',
  'dependencies',
  'prefixItems',
  'additionalItems',
  'contains',
  'minContains',
  'maxContains',
  'patternProperties',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
  'multipleOf',
  'uniqueItems',
  'minProperties',
  'maxProperties',
]);

const TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);

/** Thrown while compiling when the schema leaves the subset. */
class Unsupported extends Error {}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'object':
      return isObject(value);
    default:
      return jsonType(value) === type;
  }
}

/** Equality of JSON values, as enum and const compare. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]))
    );
  }
  return false;
}

/** String length in code points, as JSON Schema counts it (a surrogate pair is one character). */
function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) i++;
    count++;
  }
  return count;
}

function numberOf(schema: Record<string, unknown>, key: string): number | undefined {
  const value = schema[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new Unsupported(key);
  return value;
}

/** A problem as the repair prompt shows it: where in the reply, and what is wrong. */
function at(path: string, message: string): string {
  return `${path || '(root)'} ${message}`;
}

function childPath(path: string, key: string | number): string {
  return `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/**
 * Compiles a reply schema into a check, or returns `undefined` when it uses a validation keyword
 * outside the supported subset (or a form of one this module does not read, such as an array
 * `items`), so the caller can use a full validator instead.
 */
export function compileReplyCheck(schema: unknown): ReplyCheck | undefined {
  if (!isObject(schema) && typeof schema !== 'boolean') return undefined;
  const root = schema;
  const byRef = new Map<string, Node>();

  function resolve(ref: string): Node {
    const known = byRef.get(ref);
    if (known) return known;
    let target: unknown;
    if (ref === '#') target = root;
    else {
      const m = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref);
      if (!m || !isObject(root)) throw new Unsupported(ref);
      const defs = root[m[1] as string];
      const name = (m[2] as string).replace(/~1/g, '/').replace(/~0/g, '~');
      target = isObject(defs) ? defs[name] : undefined;
      if (target === undefined) throw new Unsupported(ref);
    }
    // Registered before compiling so recursive schemas refer to themselves.
    let compiled: Node | undefined;
    const node: Node = (value, path) => (compiled as Node)(value, path);
    byRef.set(ref, node);
    compiled = compile(target);
    return node;
  }

  function compile(node: unknown): Node {
    if (node === true) return () => undefined;
    if (node === false) return (_value, path) => at(path, 'is not allowed by the schema');
    if (!isObject(node)) throw new Unsupported('schema');
    for (const key of Object.keys(node)) if (DELEGATED.has(key)) throw new Unsupported(key);
    const checks: Node[] = [];

    if (node.$ref !== undefined) {
      if (typeof node.$ref !== 'string') throw new Unsupported('$ref');
      const target = resolve(node.$ref);
      checks.push(target);
    }

    if (node.type !== undefined) {
      const types = Array.isArray(node.type) ? node.type : [node.type];
      if (types.length === 0 || !types.every((t) => typeof t === 'string' && TYPES.has(t))) {
        throw new Unsupported('type');
      }
      const list = types as string[];
      const message = `must be ${list.join(',')}`;
      checks.push((value, path) =>
        list.some((t) => hasType(value, t)) ? undefined : at(path, message),
      );
    }

    if (node.enum !== undefined) {
      if (!Array.isArray(node.enum)) throw new Unsupported('enum');
      const allowed = node.enum as unknown[];
      checks.push((value, path) =>
        allowed.some((a) => jsonEqual(a, value))
          ? undefined
          : at(path, 'must be equal to one of the allowed values'),
      );
    }
    if (Object.hasOwn(node, 'const')) {
      const expected = node.const;
      checks.push((value, path) =>
        jsonEqual(expected, value) ? undefined : at(path, 'must be equal to constant'),
      );
    }

    const minLength = numberOf(node, 'minLength');
    const maxLength = numberOf(node, 'maxLength');
    let pattern: RegExp | undefined;
    if (node.pattern !== undefined) {
      if (typeof node.pattern !== 'string') throw new Unsupported('pattern');
      try {
        pattern = new RegExp(node.pattern, 'u');
      } catch {
        throw new Unsupported('pattern');
      }
    }
    if (minLength !== undefined || maxLength !== undefined || pattern) {
      const source = node.pattern;
      checks.push((value, path) => {
        if (typeof value !== 'string') return undefined;
        const length = minLength !== undefined || maxLength !== undefined ? codePoints(value) : 0;
        if (minLength !== undefined && length < minLength)
          return at(path, `must NOT have fewer than ${minLength} characters`);
        if (maxLength !== undefined && length > maxLength)
          return at(path, `must NOT have more than ${maxLength} characters`);
        if (pattern && !pattern.test(value))
          return at(path, `must match pattern "${String(source)}"`);
        return undefined;
      });
    }

    const bounds: Array<[number, (v: number, b: number) => boolean, string]> = [];
    const minimum = numberOf(node, 'minimum');
    const maximum = numberOf(node, 'maximum');
    const exclusiveMinimum = numberOf(node, 'exclusiveMinimum');
    const exclusiveMaximum = numberOf(node, 'exclusiveMaximum');
    if (minimum !== undefined) bounds.push([minimum, (v, b) => v >= b, '>=']);
    if (maximum !== undefined) bounds.push([maximum, (v, b) => v <= b, '<=']);
    if (exclusiveMinimum !== undefined) bounds.push([exclusiveMinimum, (v, b) => v > b, '>']);
    if (exclusiveMaximum !== undefined) bounds.push([exclusiveMaximum, (v, b) => v < b, '<']);
    if (bounds.length > 0) {
      checks.push((value, path) => {
        if (typeof value !== 'number') return undefined;
        for (const [bound, ok, op] of bounds) {
          if (!ok(value, bound)) return at(path, `must be ${op} ${bound}`);
        }
        return undefined;
      });
    }

    const minItems = numberOf(node, 'minItems');
    const maxItems = numberOf(node, 'maxItems');
    let items: Node | undefined;
    if (node.items !== undefined) {
      // The array form is draft-07's tuple validation: left to ajv.
      if (Array.isArray(node.items)) throw new Unsupported('items');
      items = compile(node.items);
    }
    if (minItems !== undefined || maxItems !== undefined || items) {
      const each = items;
      checks.push((value, path) => {
        if (!Array.isArray(value)) return undefined;
        if (minItems !== undefined && value.length < minItems)
          return at(path, `must NOT have fewer than ${minItems} items`);
        if (maxItems !== undefined && value.length > maxItems)
          return at(path, `must NOT have more than ${maxItems} items`);
        if (each) {
          for (let i = 0; i < value.length; i++) {
            const problem = each(value[i], childPath(path, i));
            if (problem) return problem;
          }
        }
        return undefined;
      });
    }

    const properties = new Map<string, Node>();
    if (node.properties !== undefined) {
      if (!isObject(node.properties)) throw new Unsupported('properties');
      for (const [key, sub] of Object.entries(node.properties)) properties.set(key, compile(sub));
    }
    let required: string[] = [];
    if (node.required !== undefined) {
      if (!Array.isArray(node.required) || !node.required.every((r) => typeof r === 'string')) {
        throw new Unsupported('required');
      }
      required = node.required as string[];
    }
    const extra = node.additionalProperties;
    const additional =
      extra === undefined || extra === true ? undefined : extra === false ? false : compile(extra);
    if (properties.size > 0 || required.length > 0 || additional !== undefined) {
      checks.push((value, path) => {
        if (!isObject(value)) return undefined;
        for (const key of required) {
          if (!Object.hasOwn(value, key)) return at(path, `must have required property '${key}'`);
        }
        for (const key of Object.keys(value)) {
          const sub = properties.get(key);
          if (sub) {
            const problem = sub(value[key], childPath(path, key));
            if (problem) return problem;
          } else if (additional === false) {
            return at(path, `must NOT have additional properties (found "${key}")`);
          } else if (additional) {
            const problem = additional(value[key], childPath(path, key));
            if (problem) return problem;
          }
        }
        return undefined;
      });
    }

    for (const combiner of ['allOf', 'anyOf', 'oneOf'] as const) {
      const list = node[combiner];
      if (list === undefined) continue;
      if (!Array.isArray(list) || list.length === 0) throw new Unsupported(combiner);
      const subs = list.map((sub) => compile(sub));
      if (combiner === 'allOf') {
        checks.push((value, path) => {
          for (const sub of subs) {
            const problem = sub(value, path);
            if (problem) return problem;
          }
          return undefined;
        });
      } else if (combiner === 'anyOf') {
        checks.push((value, path) =>
          subs.some((sub) => sub(value, path) === undefined)
            ? undefined
            : at(path, 'must match a schema in anyOf'),
        );
      } else {
        checks.push((value, path) =>
          subs.filter((sub) => sub(value, path) === undefined).length === 1
            ? undefined
            : at(path, 'must match exactly one schema in oneOf'),
        );
      }
    }

    // Keys other than the keywords above are annotations or unknown; ajv ignores them too.
    if (checks.length === 1) return checks[0] as Node;
    return (value, path) => {
      for (const check of checks) {
        const problem = check(value, path);
        if (problem) return problem;
      }
      return undefined;
    };
  }

  let top: Node;
  try {
    top = compile(root);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  return (value) => top(value, '');
}
