import type { RandomSource } from '@dgt/core';
import type { SearchDocument } from './documents.js';
import type { ToolRegistry } from './tool-registry.js';

/** What a tool engine factory gets besides its config. */
export type ToolEngineInitContext = {
  /** The engine's name in the task's `tools.engines`. */
  name: string;
  /** Folder relative paths resolve against (the task file's). */
  baseDir: string;
  /** The task's tools, for engines that check or serve them. */
  registry: ToolRegistry;
  /** Names the task file and key in error messages (`task "x", tools.engines.retriever`). */
  where: string;
};

/**
 * A tool engine: executes or simulates tool calls. Search engines (`search/*`) also expose
 * their corpus so document samplers can draw from it.
 */
export type ToolEngine = {
  readonly type: string;
  readonly name: string;
  /** Runs one call of a tool the engine serves; the result is JSON. */
  call(tool: string, args: Record<string, unknown>, random: RandomSource): Promise<unknown>;
  /** A search engine's documents for a query, best first (`limit`: its default when absent). */
  search?(query: string, random: RandomSource, limit?: number): Promise<SearchDocument[]>;
  /** A search engine's whole corpus. */
  corpus?(): Promise<SearchDocument[]>;
};

/** A tool engine type: creates an engine from its config mapping in `tools.engines`. */
export type ToolEngineDefinition = {
  readonly type: string;
  readonly description: string;
  create(config: Record<string, unknown>, ctx: ToolEngineInitContext): ToolEngine;
};
