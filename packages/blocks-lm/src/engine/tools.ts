import type { ToolChoice, ToolSpec } from './provider.js';

function fail(block: string, what: string): never {
  throw new TypeError(`LM block "${block}": ${what}`);
}

/**
 * Reads `tools` in OpenAI's form (`{type: 'function', function: {name, description,
 * parameters}}`) or a flat one (`{name, description, parameters | input_schema}`).
 */
export function normalizeTools(value: unknown, block: string): ToolSpec[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) fail(block, 'tools must be a list');
  return value.map((raw, i) => {
    const item = (raw ?? {}) as Record<string, unknown>;
    const fn = (item.type === 'function' && item.function ? item.function : item) as Record<
      string,
      unknown
    >;
    if (typeof fn.name !== 'string' || fn.name === '') fail(block, `tools[${i}] has no name`);
    const parameters = (fn.parameters ?? fn.input_schema ?? { type: 'object', properties: {} }) as
      | Record<string, unknown>
      | undefined;
    return {
      name: fn.name,
      ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
      parameters: parameters as Record<string, unknown>,
    };
  });
}

/**
 * Reads `tool_choice`: `auto`, `none`, `required` (Anthropic's `any`), a tool name, or the
 * object forms of OpenAI (`{type: 'function', function: {name}}`) and Anthropic
 * (`{type: 'tool', name}`).
 */
export function normalizeToolChoice(value: unknown, block: string): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'auto' || value === 'none' || value === 'required') return value;
  if (value === 'any') return 'required';
  if (typeof value === 'string') return { name: value };
  const item = value as Record<string, unknown>;
  if (item.type === 'auto' || item.type === 'none') return item.type;
  if (item.type === 'any') return 'required';
  const fn = (item.function ?? item) as Record<string, unknown>;
  if (typeof fn.name === 'string') return { name: fn.name };
  fail(block, `tool_choice not understood: ${JSON.stringify(value)}`);
}
