import { type RunResult, runTasks } from '@dgt/core';
import type { CliIo } from '../io.js';
import { commandHelp, parseFlags } from '../parse-flags.js';
import {
  debugReporter,
  jsonReporter,
  plainReporter,
  type Reporter,
  ttyReporter,
} from '../reporters/reporter.js';
import { RUN_COMMAND } from './definitions.js';
import {
  discoverFromFlags,
  flagReader,
  planOptionsFromFlags,
  writeDigitFlagNotes,
} from './plan-options.js';
import { queueExecutorFromFlags } from './run-queue.js';

/** Usage line and summary of `dgt run`. */
export const RUN_USAGE = RUN_COMMAND.usage;
export const RUN_SUMMARY = RUN_COMMAND.summary;

/** True when output goes to a CI log: progress is printed as plain lines even on a TTY. */
function inCi(env: Record<string, string | undefined>): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** `dgt run`: returns the exit code (0 completed, 1 failed or stalled, 130 interrupted). */
export async function runCommand(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, RUN_COMMAND.flags, 'run');
  if (flags.help) {
    io.out.write(commandHelp(RUN_COMMAND));
    return 0;
  }
  const { str, list } = flagReader(flags);
  writeDigitFlagNotes(flags, io);
  const registry = await discoverFromFlags(flags, io);
  const executor = await queueExecutorFromFlags(flags, io);

  const shown: Reporter = flags.json
    ? jsonReporter(io)
    : io.err.isTTY && !inCi(io.env) && !flags.debug
      ? ttyReporter(io)
      : plainReporter(io);
  const reporter = flags.debug ? debugReporter(io, shown) : shown;
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
      ...planOptionsFromFlags(flags, io, registry, list('task-paths')),
      ...(str('build-id') ? { buildId: str('build-id') } : {}),
      onEvent: (event) => reporter.onEvent(event),
      signal: controller.signal,
      cancelSignal: cancel.signal,
      ...(executor ? { attemptExecutor: executor } : {}),
    });
  } finally {
    stop();
    await executor?.close();
    reporter.finish(result);
  }
  if (result.status === 'interrupted') return 130;
  if (result.status === 'completed') return 0;
  // Every task that did not complete failed on something the user can fix: a user error.
  const unfinished = result.tasks.filter((task) => task.status !== 'completed');
  return unfinished.every((task) => task.userError) ? 2 : 1;
}
