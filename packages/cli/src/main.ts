import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isDgtError } from '@dgt/core';
import { RUN_SUMMARY, RUN_USAGE, runCommand } from './commands/run.js';
import { type CliIo, processIo } from './io.js';
import { cliPackageRoot } from './package-root.js';

const COMMANDS = `Usage: dgt <command> [options]

Commands:
  run        ${RUN_SUMMARY}

Run 'dgt <command> --help' for a command's options.
Example: ${RUN_USAGE.replace('TASK.yaml', 'examples/geography-qa/task.yaml')} --engine mock
`;

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
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.out.write(COMMANDS);
      return 0;
    }
    if (command === '--version' || command === '-v') {
      io.out.write(`${version()}\n`);
      return 0;
    }
    if (command === 'run') return await runCommand(rest, io);
    io.err.write(`dgt: unknown command "${command}".\n\n${COMMANDS}`);
    return 2;
  } catch (error) {
    if (isDgtError(error)) {
      io.err.write(`dgt: error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
