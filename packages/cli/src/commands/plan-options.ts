import path from 'node:path';
import { DgtError, discoverPlugins, type PlanOptions, type Registry } from '@dgt/core';
import { DIGIT_FLAG_NOTES } from '../cli-definition.js';
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
  const promptFile = str('prompt-file-path');
  const builderSettings = {
    ...(int('num-prompt-instructions') !== undefined
      ? { num_prompt_instructions: int('num-prompt-instructions') }
      : {}),
    ...(promptFile ? { prompt_file_path: path.resolve(io.cwd, promptFile) } : {}),
  };
  return {
    taskPaths,
    ...(str('config-path') ? { configPath: str('config-path') } : {}),
    ...(Object.keys(builderSettings).length > 0 ? { builderSettings } : {}),
    cwd: io.cwd,
    env: io.env,
    registry,
    ...(flags['allow-outside-includes'] === true ? { allowOutsideIncludes: true } : {}),
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
      ...(flags.batch === true
        ? { batch: true, ...(maxCost !== undefined ? { batchMaxCostUsd: maxCost } : {}) }
        : {}),
      ...(maxConcurrency !== undefined ? { maxConcurrency } : {}),
    },
    ...(str('queue') !== undefined ? { queueUrl: str('queue') } : {}),
  };
}

/** Prints, once, what DGT does instead of each DiGiT-only flag given (`--ray-address`, …). */
export function writeDigitFlagNotes(flags: ParsedFlags, io: CliIo): void {
  for (const [name, note] of Object.entries(DIGIT_FLAG_NOTES))
    if (flags[name] !== undefined) io.err.write(`${note}\n`);
}
