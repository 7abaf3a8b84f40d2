// A direct renderer for the templates most prompts are: text, `{{ a.b | trim }}`, `{% for %}`
// and `{% if %}`. It walks the AST that @huggingface/jinja parsed (so whitespace control is
// jinja's own) and produces the same text as jinja's interpreter, some 40 times faster: a run
// renders one prompt per request. Anything outside that subset is left to jinja: templates at
// compile time (`compileFastRender` returns undefined), values at render time (the renderer
// throws `UNSUPPORTED` and the caller renders with jinja, which also raises jinja's own errors).

/** Thrown by a fast renderer when a value needs jinja's full semantics. */
export const UNSUPPORTED = Symbol('render with jinja');

type AstNode = { type: string; [key: string]: unknown };
type Scope = { name: string; value: unknown; parent: Scope | undefined } | undefined;
type Vars = Record<string, unknown>;
type Expr = (vars: Vars, scope: Scope) => unknown;
type Block = (vars: Vars, scope: Scope) => string;

// Names jinja defines itself (globals, `loop`): templates using them go to jinja, and so does a
// render whose variables redefine one (jinja refuses that).
const RESERVED = new Set([
  'loop',
  'namespace',
  'true',
  'false',
  'none',
  'True',
  'False',
  'None',
  'range',
  'raise_exception',
  'strftime_now',
]);
const MAPPING_METHODS = new Set(['get', 'items', 'keys', 'values', 'dictsort']);
const FILTERS: Record<string, (text: string) => string> = {
  trim: (text) => text.trim(),
  upper: (text) => text.toUpperCase(),
  lower: (text) => text.toLowerCase(),
};
const isEnumerable = Object.prototype.propertyIsEnumerable;

function lookup(name: string, vars: Vars, scope: Scope): unknown {
  for (let s = scope; s; s = s.parent) if (s.name === name) return s.value;
  return isEnumerable.call(vars, name) ? vars[name] : undefined;
}

/** jinja's truth of a value, for the values the subset handles. */
function truthy(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  switch (typeof value) {
    case 'string':
      return value.length > 0;
    case 'boolean':
      return value;
    case 'number':
      return value !== 0 && !Number.isNaN(value);
    case 'object':
      return Array.isArray(value) ? value.length > 0 : Object.keys(value).length > 0;
    default:
      throw UNSUPPORTED;
  }
}

function expression(node: AstNode): Expr | undefined {
  switch (node.type) {
    case 'Identifier': {
      const name = node.value as string;
      if (RESERVED.has(name)) return undefined;
      return (vars, scope) => lookup(name, vars, scope);
    }
    case 'MemberExpression': {
      const property = node.property as AstNode;
      if (node.computed || property.type !== 'Identifier') return undefined;
      const object = expression(node.object as AstNode);
      if (!object) return undefined;
      const key = property.value as string;
      return (vars, scope) => {
        const value = object(vars, scope);
        // Other types have jinja's built-in attributes (`upper`, `append`…).
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw UNSUPPORTED;
        if (isEnumerable.call(value, key)) return (value as Record<string, unknown>)[key];
        // A missing key is undefined, unless it names one of a mapping's built-in methods.
        if (MAPPING_METHODS.has(key)) throw UNSUPPORTED;
        return undefined;
      };
    }
    case 'FilterExpression': {
      const filter = node.filter as AstNode;
      const apply = filter.type === 'Identifier' ? FILTERS[filter.value as string] : undefined;
      const operand = expression(node.operand as AstNode);
      if (!apply || !operand) return undefined;
      return (vars, scope) => {
        const value = operand(vars, scope);
        if (typeof value !== 'string') throw UNSUPPORTED;
        return apply(value);
      };
    }
    default:
      return undefined;
  }
}

function block(nodes: readonly AstNode[]): Block | undefined {
  const parts: Block[] = [];
  for (const node of nodes) {
    const part = statement(node);
    if (!part) return undefined;
    parts.push(part);
  }
  return (vars, scope) => {
    let out = '';
    for (const part of parts) out += part(vars, scope);
    return out;
  };
}

function statement(node: AstNode): Block | undefined {
  switch (node.type) {
    case 'StringLiteral': {
      const text = node.value as string;
      return () => text;
    }
    case 'Comment':
      return () => '';
    case 'If': {
      const test = expression(node.test as AstNode);
      const body = block(node.body as AstNode[]);
      const alternate = block(node.alternate as AstNode[]);
      if (!test || !body || !alternate) return undefined;
      return (vars, scope) =>
        truthy(test(vars, scope)) ? body(vars, scope) : alternate(vars, scope);
    }
    case 'For': {
      const loopvar = node.loopvar as AstNode;
      const iterable = node.iterable as AstNode;
      if (loopvar.type !== 'Identifier' || RESERVED.has(loopvar.value as string)) return undefined;
      const items = iterable.type === 'SelectExpression' ? undefined : expression(iterable);
      const body = block(node.body as AstNode[]);
      const otherwise = block(node.defaultBlock as AstNode[]);
      if (!items || !body || !otherwise) return undefined;
      const name = loopvar.value as string;
      return (vars, scope) => {
        const list = items(vars, scope);
        // jinja iterates an object's keys and refuses other values.
        if (!Array.isArray(list)) throw UNSUPPORTED;
        if (list.length === 0) return otherwise(vars, scope);
        let out = '';
        for (let i = 0; i < list.length; i++)
          out += body(vars, { name, value: list[i], parent: scope });
        return out;
      };
    }
    default: {
      const value = expression(node);
      if (!value) return undefined;
      return (vars, scope) => {
        const result = value(vars, scope);
        if (typeof result === 'string') return result;
        // jinja prints nothing for undefined and none; other values have its own formatting.
        if (result === undefined || result === null) return '';
        throw UNSUPPORTED;
      };
    }
  }
}

/**
 * A renderer for a parsed template (`Template.parsed`) if it stays within the subset, else
 * `undefined`. The renderer throws {@link UNSUPPORTED} for variables it cannot render exactly
 * as jinja would.
 */
export function compileFastRender(program: unknown): ((vars: Vars) => string) | undefined {
  const root = program as AstNode | undefined;
  if (root?.type !== 'Program') return undefined;
  const body = block(root.body as AstNode[]);
  if (!body) return undefined;
  return (vars) => {
    for (const name in vars)
      if (RESERVED.has(name) && isEnumerable.call(vars, name)) throw UNSUPPORTED;
    return body(vars, undefined);
  };
}
