import { DgtError } from '@dgt/core';

/** A tool as the builder uses it: OpenAI's function shape. */
export type ToolSpec = {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
};

/** A tool call: the tool's name and its arguments object. */
export type ToolCall = { name: string; arguments: Record<string, unknown> };

/**
 * Reads a task's `tools:` list: OpenAI's `{type: function, function: {name, description,
 * parameters}}` or the flat `{name, description, parameters}` (`input_schema`, Anthropic's name,
 * also read). Throws a user error naming the entry that is not a tool.
 */
export function readTools(value: unknown, where: string): ToolSpec[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new DgtError(
      'INVALID_TASK',
      `${where}: tools must be a non-empty list of tool specifications ({name, description, parameters}); give them inline or with include: {tools: tools.json}.`,
    );
  }
  return value.map((entry, i) => {
    const fn = (entry?.function ?? entry) as Record<string, unknown> | undefined;
    const name = fn?.name;
    if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) {
      throw new DgtError(
        'INVALID_TASK',
        `${where}: tools[${i}] has no valid name (letters, digits, _ . -): ${JSON.stringify(entry)?.slice(0, 120)}.`,
      );
    }
    const parameters = (fn!.parameters ??
      fn!.input_schema ?? {
        type: 'object',
        properties: {},
      }) as Record<string, unknown>;
    return {
      type: 'function',
      function: {
        name,
        ...(typeof fn!.description === 'string' ? { description: fn!.description } : {}),
        parameters,
      },
    };
  });
}

/** The JSON Schema of one call of any of `tools`: its name and arguments following its schema. */
export function toolCallSchema(tools: readonly ToolSpec[]): Record<string, unknown> {
  const calls = tools.map(({ function: fn }) => ({
    type: 'object',
    properties: { name: { type: 'string', const: fn.name }, arguments: fn.parameters },
    required: ['name', 'arguments'],
    additionalProperties: false,
  }));
  return calls.length === 1 ? calls[0]! : { anyOf: calls };
}

/**
 * The JSON Schema of the generator's reply for a set of tools: a list of examples, each a user
 * request and the calls that serve it, where every call is one of the tools with arguments
 * following that tool's parameter schema.
 */
export function toolExamplesSchema(tools: readonly ToolSpec[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      examples: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          properties: {
            question: { type: 'string', description: "the user's request, in their words" },
            tool_calls: {
              type: 'array',
              minItems: 1,
              items: toolCallSchema(tools),
            },
          },
          required: ['question', 'tool_calls'],
          additionalProperties: false,
        },
      },
    },
    required: ['examples'],
    additionalProperties: false,
  };
}

function parseJsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/**
 * Tool calls in any of the usual shapes: a list or one call, `{name, arguments}` or OpenAI's
 * `{function: {name, arguments}}`, arguments as an object or a JSON string. Calls that cannot be
 * read are returned as found, for the `tool_call` validator to reject with a reason.
 */
export function readToolCalls(value: unknown): unknown[] {
  const parsed = parseJsonText(value);
  const list = Array.isArray(parsed) ? parsed : parsed === undefined ? [] : [parsed];
  return list.map((call) => {
    const object = (call as Record<string, unknown>)?.function ?? call;
    if (object === null || typeof object !== 'object') return call;
    const { name, arguments: args, parameters } = object as Record<string, unknown>;
    return { name, arguments: parseJsonText(args ?? parameters ?? {}) };
  });
}
