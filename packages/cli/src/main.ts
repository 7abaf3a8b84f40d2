import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isDgtError } from '@dgt/core';
import type { CommandDefinition } from './cli-definition.js';
import { cacheCommand } from './commands/cache.js';
import { COMMANDS } from './commands/definitions.js';
import { estimateCommand } from './commands/estimate/estimate.js';
import { initCommand } from './commands/init/init.js';
import { listCommand } from './commands/list.js';
import { runCommand } from './commands/run.js';
import { validateCommand } from './commands/validate.js';
import { viewCommand } from './commands/view.js';
import { type CliIo, processIo } from './io.js';
import { cliPackageRoot } from './package-root.js';
import { redactingIo } from './redacting-io.js';

const HANDLERS: Record<string, (args: readonly string[], io: CliIo) => Promise<number>> = {
  run: runCommand,
  validate: validateCommand,
  estimate: estimateCommand,
  list: listCommand,
  init: initCommand,
  cache: cacheCommand,
  view: viewCommand,
  // Loaded on demand: BullMQ is heavy, and every other command would pay for loading it.
  worker: async (args, io) => (await import('./commands/worker.js')).workerCommand(args, io),
};

/** The top-level `dgt --help`, from the command definitions. */
function overview(commands: readonly CommandDefinition[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 3;
  return [
    'Usage: dgt <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary.split(/(?<=\.) /)[0]}`),
    '',
    "Run 'dgt <command> --help' for a command's options.",
    'Examples:',
    ...commands.map((c) => `  ${c.examples?.[0] ?? c.usage}`),
    '',
  ].join('\n');
}

function version(): string {
  const pkg = JSON.parse(readFileSync(path.join(cliPackageRoot(), 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * Runs the `dgt` command line and returns the exit code: 0 success, 1 a run that did not
 * complete, 2 a user error (printed as one message, without a stack trace), 130 interrupted.
 */
export async function main(argv: readonly string[], given: CliIo = processIo()): Promise<number> {
  const io = redactingIo(given);
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.out.write(overview(COMMANDS));
      return 0;
    }
    if (command === '--version' || command === '-v') {
      io.out.write(`${version()}\n`);
      return 0;
    }
    const handler = HANDLERS[command];
    if (handler) return await handler(rest, io);
    // DiGiT's form: `python -m fms_dgt --task-paths …` runs without a subcommand.
    if (command.startsWith('-')) return await runCommand(argv, io);
    io.err.write(`dgt: unknown command "${command}".\n\n${overview(COMMANDS)}`);
    return 2;
  } catch (error) {
    if (isDgtError(error)) {
      // A full disk is not the user's mistake in the task: a runtime failure (exit 1).
      if (error.code === 'DISK_FULL') {
        io.err.write(`dgt: error: ${error.message}\n`);
        return 1;
      }
      if (error.code === 'INTERRUPTED') {
        io.err.write(`dgt: ${error.message}\n`);
        return 130;
      }
      io.err.write(`dgt: error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
