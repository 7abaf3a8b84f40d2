import path from 'node:path';
import { DgtError, openDatastore } from '@dgt/core';

/** A tool as task files define it: a JSON Schema function specification. */
export type ToolDefinition = {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  /** Groups tools from one source (`weather_api::search`). */
  namespace: string;
  /** The engine (a name in `tools.engines`) that executes the tool, if any. */
  engine?: string;
  [key: string]: unknown;
};

/** The tools of a task, by qualified name (`namespace::name`) and by bare name. */
export type ToolRegistry = {
  readonly tools: readonly ToolDefinition[];
  /** The tool with this qualified or bare name (a bare name must be unambiguous). */
  get(name: string): ToolDefinition | undefined;
};

/** Makes a registry over tool definitions; two tools with one qualified name are an error. */
export function createToolRegistry(tools: readonly ToolDefinition[], where: string): ToolRegistry {
  const byQualified = new Map<string, ToolDefinition>();
  const byName = new Map<string, ToolDefinition[]>();
  for (const tool of tools) {
    const qualified = `${tool.namespace}::${tool.name}`;
    if (byQualified.has(qualified))
      throw new DgtError('INVALID_TASK', `${where}: tool ${qualified} is defined twice.`);
    byQualified.set(qualified, tool);
    byName.set(tool.name, [...(byName.get(tool.name) ?? []), tool]);
  }
  return {
    tools,
    get(name) {
      const exact = byQualified.get(name);
      if (exact) return exact;
      const bare = byName.get(name);
      return bare?.length === 1 ? bare[0] : undefined;
    },
  };
}

function readToolList(
  value: unknown,
  namespace: string,
  engine: string | undefined,
  where: string,
): ToolDefinition[] {
  const list = Array.isArray(value)
    ? value
    : value !== null &&
        typeof value === 'object' &&
        Array.isArray((value as { tools?: unknown }).tools)
      ? (value as { tools: unknown[] }).tools
      : undefined;
  if (!list) throw new DgtError('INVALID_TASK', `${where}: expected a list of tool definitions.`);
  return list.map((raw, i) => {
    // OpenAI's `{type: function, function: {...}}` form is read as the function itself.
    const item = (raw as { function?: unknown })?.function ?? raw;
    if (
      item === null ||
      typeof item !== 'object' ||
      typeof (item as { name?: unknown }).name !== 'string'
    )
      throw new DgtError('INVALID_TASK', `${where}[${i}]: a tool needs a name.`);
    const tool = item as Record<string, unknown>;
    return {
      ...tool,
      name: tool.name as string,
      namespace: typeof tool.namespace === 'string' ? tool.namespace : namespace,
      ...(engine !== undefined ? { engine } : {}),
    };
  });
}

/**
 * Tool loaders by type: `inline` (a `tools:` list in the task file) and `file` (a JSON, JSONL or
 * YAML file holding a list, or `{tools: [...]}`).
 */
export async function loadTools(
  entry: Record<string, unknown>,
  baseDir: string,
  where: string,
): Promise<ToolDefinition[]> {
  const namespace = typeof entry.namespace === 'string' ? entry.namespace : 'default';
  const engine = typeof entry.engine === 'string' ? entry.engine : undefined;
  if (entry.type === 'inline')
    return readToolList(entry.tools, namespace, engine, `${where}.tools`);
  if (entry.type === 'file') {
    if (typeof entry.path !== 'string')
      throw new DgtError('INVALID_TASK', `${where}.path: give the file of tool definitions.`);
    const store = await openDatastore(
      { type: 'default', data_path: entry.path },
      { outputDir: baseDir, storeName: 'tools', baseDir },
    );
    if (!(await store.exists()))
      throw new DgtError(
        'INVALID_TASK',
        `${where}.path: ${path.resolve(baseDir, entry.path)} does not exist.`,
      );
    const records: unknown[] = [];
    for await (const record of store.read()) records.push(record);
    await store.close();
    const value =
      records.length === 1 && Array.isArray((records[0] as { tools?: unknown }).tools)
        ? records[0]
        : records;
    return readToolList(value, namespace, engine, `${where} (${entry.path})`);
  }
  throw new DgtError(
    'INVALID_TASK',
    `${where}.type: unknown tool loader "${String(entry.type)}"; known loaders: file, inline.`,
  );
}
