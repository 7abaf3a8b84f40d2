import { discoverPlugins, type RunResult, runTasks } from '@dgt/core';
import { RUN_FLAGS } from '../cli-definition.js';
import type { CliIo } from '../io.js';
import { cliPackageRoot } from '../package-root.js';
import { helpText, parseFlags } from '../parse-flags.js';
import { jsonReporter, plainReporter, type Reporter, ttyReporter } from '../reporters/reporter.js';

/** Usage line and summary of `dgt run`. */
export const RUN_USAGE = 'dgt run --task-paths TASK.yaml [options]';
export const RUN_SUMMARY =
  'Runs DGT tasks: generates (or transforms) data until each task has its records, resuming from earlier outputs.';

/** `dgt run`: returns the exit code (0 completed, 1 failed or stalled, 130 interrupted). */
export async function runCommand(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, RUN_FLAGS, 'run');
  if (flags.help) {
    io.out.write(helpText(RUN_USAGE, RUN_SUMMARY, RUN_FLAGS));
    return 0;
  }
  const str = (name: string) => flags[name] as string | undefined;
  const int = (name: string) => flags[name] as number | undefined;
  const list = (name: string) => (flags[name] as string[] | undefined) ?? [];

  const registry = await discoverPlugins({
    projectRoot: io.cwd,
    fallbackRoots: [cliPackageRoot()],
    builderPaths: list('include-builder-paths'),
  });

  const reporter: Reporter = flags.json
    ? jsonReporter(io)
    : io.err.isTTY
      ? ttyReporter(io)
      : plainReporter(io);
  // First Ctrl-C: finish the attempts in flight and stop; second: cancel them; third: exit.
  const controller = new AbortController();
  const cancel = new AbortController();
  const stop = io.onInterrupt((count) => {
    if (count === 1) {
      io.err.write(
        '\ndgt: stopping after the attempts in flight (records so far are kept; run again to resume). Press Ctrl-C again to cancel them.\n',
      );
      controller.abort();
    } else {
      io.err.write('\ndgt: cancelling requests in flight; their batches run again on resume.\n');
      cancel.abort();
    }
  });

  let result: RunResult | undefined;
  try {
    result = await runTasks({
      taskPaths: list('task-paths'),
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
      },
      engine: {
        type: str('engine'),
        model: str('model'),
        baseUrl: str('base-url'),
        ...(flags['no-cache'] ? { cache: 'off' as const } : {}),
      },
      ...(str('build-id') ? { buildId: str('build-id') } : {}),
      onEvent: (event) => reporter.onEvent(event),
      signal: controller.signal,
      cancelSignal: cancel.signal,
    });
  } finally {
    stop();
    reporter.finish(result);
  }
  if (result.status === 'interrupted') return 130;
  return result.status === 'completed' ? 0 : 1;
}
