import { DgtError } from '@dgt/core';
import { z } from 'zod';
import { fileSearchEngine } from './file-search-engine.js';
import type { ToolEngine, ToolEngineDefinition } from './tool-engine.js';
import { createToolRegistry, loadTools, type ToolRegistry } from './tool-registry.js';

/** The task-file `tools:` key (DiGiT's): tool loaders under `registry`, engines by name. */
export const toolsConfigSchema = z.looseObject({
  registry: z.array(z.looseObject({ type: z.string() })).default([]),
  engines: z.record(z.string(), z.looseObject({ type: z.string() })).default({}),
});

/** The engine types the tools layer ships, by type id. */
export const TOOL_ENGINES: Readonly<Record<string, ToolEngineDefinition>> = {
  [fileSearchEngine.type]: fileSearchEngine,
};

/** A task's tools: its registry and its engines by name. */
export type TaskTools = {
  registry: ToolRegistry;
  engines: ReadonlyMap<string, ToolEngine>;
  /** The engine named `name`; a clear error naming `where` and the engines when missing. */
  engine(name: string, where: string): ToolEngine;
};

/**
 * Builds a task's tools from its `tools:` key: loads every registry entry, then creates each
 * engine. `where` names the task in messages.
 */
export async function openTools(
  value: unknown,
  baseDir: string,
  where: string,
  engines: Readonly<Record<string, ToolEngineDefinition>> = TOOL_ENGINES,
): Promise<TaskTools> {
  const parsed = toolsConfigSchema.safeParse(value ?? {});
  if (!parsed.success) {
    throw new DgtError(
      'INVALID_TASK',
      `${where}, tools: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const tools = [];
  for (const [i, entry] of parsed.data.registry.entries())
    tools.push(...(await loadTools(entry, baseDir, `${where}, tools.registry[${i}]`)));
  const registry = createToolRegistry(tools, `${where}, tools.registry`);
  const made = new Map<string, ToolEngine>();
  for (const [name, config] of Object.entries(parsed.data.engines)) {
    const definition = engines[config.type];
    const at = `${where}, tools.engines.${name}`;
    if (!definition)
      throw new DgtError(
        'INVALID_TASK',
        `${at}.type: unknown tool engine "${config.type}"; known engines: ${Object.keys(engines).join(', ')}.`,
      );
    made.set(name, definition.create(config, { name, baseDir, registry, where: at }));
  }
  for (const tool of registry.tools) {
    if (tool.engine !== undefined && !made.has(tool.engine))
      throw new DgtError(
        'INVALID_TASK',
        `${where}, tools: tool ${tool.namespace}::${tool.name} names engine "${tool.engine}", which tools.engines does not define.`,
      );
  }
  return {
    registry,
    engines: made,
    engine(name, at) {
      const engine = made.get(name);
      if (!engine)
        throw new DgtError(
          'INVALID_TASK',
          `${at}: engine "${name}" is not in tools.engines (${[...made.keys()].join(', ') || 'none defined'}).`,
        );
      return engine;
    },
  };
}
