import { DgtError, defineBlock } from '@dgt/core';
import type { ValidateFunction } from 'ajv';
import { z } from 'zod';
import { compileJsonSchema, describeSchemaError, readJson } from './shared/json-schema.js';
import { settleRows, validatorConfigShape } from './shared/validator.js';

/** Config of `tool_call`. */
export const toolCallConfigSchema = z.looseObject({
  ...validatorConfigShape,
  tools: z
    .array(z.record(z.string(), z.unknown()))
    .optional()
    .describe(
      "Tool definitions: OpenAI's `{type: function, function: {name, parameters}}`, or `{name, parameters}` (`input_schema` also accepted). A row's own `tools` field wins.",
    ),
  allow_extra_arguments: z
    .boolean()
    .default(false)
    .describe(
      "Accept arguments a tool's schema does not list when it does not say (default `false`).",
    ),
  allow_multiple: z
    .boolean()
    .default(true)
    .describe(
      'Accept several calls in one row (default `true`); otherwise exactly one is expected.',
    ),
});

type Tool = { name: string; validate: ValidateFunction };

function readTools(
  definitions: Record<string, unknown>[],
  allowExtra: boolean,
  where: string,
): Map<string, Tool> | string {
  const tools = new Map<string, Tool>();
  for (const definition of definitions) {
    const fn = (definition.function ?? definition) as Record<string, unknown>;
    const name = fn.name;
    if (typeof name !== 'string')
      return `a tool definition has no name: ${JSON.stringify(definition)}`;
    const parameters = (fn.parameters ?? fn.input_schema ?? { type: 'object' }) as Record<
      string,
      unknown
    >;
    // Undeclared arguments are errors unless the schema (or the config) allows them.
    const schema =
      allowExtra || 'additionalProperties' in parameters
        ? parameters
        : { ...parameters, additionalProperties: false };
    tools.set(name, { name, validate: compileJsonSchema(schema, `${where}, tool "${name}"`) });
  }
  return tools;
}

type Call = { name?: unknown; arguments?: unknown };

/** The calls in a value: one call, a list, `{tool_calls: […]}`, OpenAI's `{function: {…}}` shape. */
function callsOf(value: unknown): Call[] | undefined {
  if (Array.isArray(value)) {
    const calls = value.map((item) => callsOf(item));
    return calls.every(Boolean) ? (calls.flat() as Call[]) : undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const object = value as Record<string, unknown>;
  if (Array.isArray(object.tool_calls)) return callsOf(object.tool_calls);
  if (object.function && typeof object.function === 'object') return callsOf(object.function);
  if ('name' in object)
    return [{ name: object.name, arguments: object.arguments ?? object.parameters ?? {} }];
  return undefined;
}

function checkCall(call: Call, tools: Map<string, Tool>): string[] {
  if (typeof call.name !== 'string') return ['a call has no tool name'];
  const tool = tools.get(call.name);
  if (!tool) return [`unknown tool "${call.name}"`];
  const args = readJson(call.arguments);
  if ('error' in args) return [`${call.name}: arguments are ${args.error}`];
  if (!args.value || typeof args.value !== 'object' || Array.isArray(args.value))
    return [`${call.name}: arguments must be an object`];
  if (tool.validate(args.value)) return [];
  return (tool.validate.errors ?? []).map((error) => {
    const text = describeSchemaError(error)
      .replace(/^\(root\): missing property/, 'missing argument')
      .replace(/^\(root\): unexpected property/, 'unexpected argument')
      .replace(/^\//, 'argument /');
    return `${call.name}: ${text}`;
  });
}

/**
 * `tool_call`: checks tool-call JSON in each row's `input` (a JSON text or an object: one call
 * `{name, arguments}`, a list, `{tool_calls: […]}` or OpenAI's `{function: {name, arguments}}`,
 * with `arguments` as an object or a JSON string) against the tool schemas in the config or in
 * the row's `tools` field. Reasons name the problem: malformed JSON, unknown tool, missing or
 * unexpected arguments, wrong types.
 *
 * @example
 * blocks:
 *   - name: calls
 *     type: tool_call
 *     filter: true
 *     input_map: { answer: input, tools: tools }
 */
export const toolCallBlock = defineBlock({
  role: 'validator',
  description: 'Checks tool-call JSON against tool schemas (unknown tools, arguments, types).',
  configSchema: toolCallConfigSchema,
  create(config) {
    const where = `block "${config.name}" (${config.type})`;
    const configured = config.tools
      ? readTools(config.tools, config.allow_extra_arguments, `${where}, key tools`)
      : undefined;
    if (typeof configured === 'string')
      throw new DgtError('INVALID_BLOCK_CONFIG', `${where}, key tools: ${configured}.`);
    // Rows of one dataset usually share a few tool lists: compile each once.
    const rowTools = new Map<string, Map<string, Tool> | string>();
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'validator',
      type: config.type,
      name: config.name,
      async call(rows) {
        const reasons = rows.map((row) => {
          let tools = configured;
          if (row.tools !== undefined) {
            const own = readJson(row.tools);
            if ('error' in own) return `the row's tools are ${own.error}`;
            if (!Array.isArray(own.value)) return "the row's tools are not a list";
            const key = JSON.stringify(own.value);
            let read = rowTools.get(key);
            if (!read) {
              try {
                read = readTools(own.value, config.allow_extra_arguments, `${where}, row tools`);
              } catch (error) {
                read = (error as Error).message;
              }
              if (rowTools.size < 1000) rowTools.set(key, read);
            }
            if (typeof read === 'string') return read;
            tools = read;
          }
          if (!tools)
            return 'no tool schemas: set tools in the block config or give rows a tools field';
          const parsed = readJson(row.input);
          if ('error' in parsed) return parsed.error;
          const calls = callsOf(parsed.value);
          if (!calls?.length) return 'no tool call found (expected {name, arguments})';
          if (!config.allow_multiple && calls.length > 1)
            return `${calls.length} tool calls, expected one`;
          const problems = calls.flatMap((call) => checkCall(call, tools));
          return problems.length ? problems.join('; ') : undefined;
        });
        return settleRows(rows, reasons, config.filter);
      },
    };
  },
});

export default toolCallBlock;
