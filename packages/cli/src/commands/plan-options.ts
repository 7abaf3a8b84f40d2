import { DgtError, discoverPlugins, type PlanOptions, type Registry } from '@dgt/core';
import type { CliIo } from '../io.js';
import { cliPackageRoot } from '../package-root.js';
import type { ParsedFlags } from '../parse-flags.js';

/** Reads typed values out of parsed flags. */
export function flagReader(flags: ParsedFlags) {
  return {
    str: (name: string) => flags[name] as string | undefined,
    int: (name: string) => flags[name] as number | undefined,
    num: (name: string) => flags[name] as number | undefined,
    list: (name: string) => (flags[name] as string[] | undefined) ?? [],
  };
}

/**
 * The plugins of a command run in `io.cwd`: the project's dependencies first, then the CLI's own
 * (so the first-party builders and blocks work in a folder with no package.json).
 */
export function discoverFromFlags(flags: ParsedFlags, io: CliIo): Promise<Registry> {
  return discoverPlugins({
    projectRoot: io.cwd,
    fallbackRoots: [cliPackageRoot()],
    builderPaths: flagReader(flags).list('include-builder-paths'),
  });
}

/** What `dgt run` and `dgt validate` hand to the runner, from the flags they share. */
export function planOptionsFromFlags(
  flags: ParsedFlags,
  io: CliIo,
  registry: Registry,
  taskPaths: readonly string[],
): PlanOptions {
  const { str, int, num } = flagReader(flags);
  const maxCost = num('max-cost');
  const maxConcurrency = int('max-concurrency');
  if (maxConcurrency !== undefined && maxConcurrency < 1)
    throw new DgtError(
      'USAGE',
      `--max-concurrency needs a whole number of requests of at least 1, found ${maxConcurrency}.`,
    );
  // A budget of nothing would stop every task before its first request: surely a mistake.
  if (maxCost === 0)
    throw new DgtError(
      'USAGE',
      '--max-cost needs an amount in US dollars above 0, e.g. --max-cost 2.50 (leave it out for no budget).',
    );
  return {
    taskPaths,
    ...(str('config-path') ? { configPath: str('config-path') } : {}),
    cwd: io.cwd,
    env: io.env,
    registry,
    runner: {
      numOutputsToGenerate: int('num-outputs-to-generate'),
      seedBatchSize: int('seed-batch-size'),
      machineBatchSize: int('machine-batch-size'),
      restart: flags.restart === true,
      outputDir: str('output-dir'),
      saveFormattedOutput: flags['save-formatted-output'] === true,
      maxGenRequests: int('max-gen-requests'),
      maxStalledRequests: int('max-stalled-requests'),
      maxCostUsd: maxCost,
    },
    engine: {
      type: str('engine'),
      model: str('model'),
      baseUrl: str('base-url'),
      ...(flags['no-cache'] ? { cache: 'off' as const } : {}),
      ...(maxConcurrency !== undefined ? { maxConcurrency } : {}),
    },
  };
}
