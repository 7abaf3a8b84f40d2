import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { DgtError } from '@dgt/core';
import { isLoopback, startViewer } from '@dgt/viewer';
import type { CliIo } from '../io.js';
import { commandHelp, parseFlags } from '../parse-flags.js';
import { VIEW_COMMAND } from './definitions.js';
import { flagReader } from './plan-options.js';

/** Opens `url` in the user's browser, if the platform has a way; failures are ignored. */
function openBrowser(url: string): void {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser opener: the printed URL is enough.
  }
}

/**
 * `dgt view [OUTPUT_DIR]`: serves the viewer app over an output folder until Ctrl-C. Prints
 * exactly one line on stdout: the URL with the session token.
 */
export async function viewCommand(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, VIEW_COMMAND.flags, 'view', { positionals: true });
  if (flags.help) {
    io.out.write(commandHelp(VIEW_COMMAND));
    return 0;
  }
  const { str, int } = flagReader(flags);
  const positionals = (flags._ as string[] | undefined) ?? [];
  if (positionals.length > 1) {
    throw new DgtError(
      'USAGE',
      `dgt view takes one output folder, got ${positionals.length}: ${positionals.join(' ')}.`,
    );
  }
  const outputDir = path.resolve(io.cwd, positionals[0] ?? io.env.DGT_OUTPUT_DIR ?? 'output');
  const info = await stat(outputDir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new DgtError(
      'USAGE',
      `${outputDir} is not a folder. Give the output folder of a run: dgt view OUTPUT_DIR (the run's --output-dir, "output" by default).`,
    );
  }
  const port = int('port') ?? 0;
  if (port > 65_535)
    throw new DgtError('USAGE', `--port ${port}: expected a port from 0 to 65535.`);
  const host = str('host') ?? '127.0.0.1';
  if (!isLoopback(host)) {
    io.err.write(
      `dgt view: warning: listening on ${host}, so other machines can reach this viewer. Anyone with the URL's token can read the data and record review decisions.\n`,
    );
  }
  const viewer = await startViewer({ outputDir, host, port }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new DgtError(
        'USAGE',
        `cannot listen on ${host}:${port} (${code}): choose another --port, or --port 0 for any free one.`,
      );
    }
    throw error;
  });
  // Ctrl-C is handled before the URL is out, so whoever reads the URL can stop the viewer.
  const stopped = new Promise<void>((resolve) => {
    const remove = io.onInterrupt(() => {
      remove();
      resolve();
    });
  });
  io.out.write(`${viewer.url}\n`);
  if (!flags['no-open']) openBrowser(viewer.url);
  await stopped;
  await viewer.close();
  return 0;
}
