import { DgtError, redactUrl, resolveSharedStateUrl } from '@dgt/core';
import type { CommandDefinition } from '../cli-definition.js';
import { RUN_FLAGS } from '../cli-definition.js';
import type { CliIo } from '../io.js';
import { commandHelp, parseFlags } from '../parse-flags.js';
import { startWorker, type WorkerEvent } from '../worker/worker.js';
import { discoverFromFlags, flagReader } from './plan-options.js';

const shared = (name: string) => RUN_FLAGS.find((flag) => flag.name === name)!;

/**
 * `dgt worker` (preview): executes builder jobs from a queue. Not listed by `dgt --help` yet:
 * `dgt run --queue` does not hand out jobs until the coordinator side lands.
 */
export const WORKER_COMMAND: CommandDefinition = {
  name: 'worker',
  usage: 'dgt worker --queue redis://HOST:PORT [options]',
  summary:
    'Preview: executes builder calls from the queue of a coordinating run, with this machine’s plugins, and returns their results. Stop it with SIGTERM or Ctrl-C: the jobs in hand finish first; a second signal abandons them to other workers.',
  flags: [
    {
      name: 'queue',
      kind: 'string',
      valueName: 'URL',
      help: 'The Redis URL of the queue (default $DGT_QUEUE_URL).',
    },
    {
      name: 'concurrency',
      kind: 'integer',
      valueName: 'N',
      help: 'Builder jobs run at once per builder (default 1); LM limits are shared with every process on the queue anyway.',
    },
    {
      name: 'builders',
      kind: 'list',
      valueName: 'ID…',
      help: 'Serve only these builders (default: every builder this project can use).',
    },
    {
      name: 'stalled-after',
      kind: 'number',
      valueName: 'SECONDS',
      help: 'How long a job of a worker that died (or stopped answering) waits before another worker takes it (default 30).',
    },
    {
      name: 'base-url',
      kind: 'string',
      valueName: 'URL',
      help: "Server URL for the jobs' LM blocks, e.g. the vLLM on this machine (default: the URL the run's config gives).",
    },
    shared('include-builder-paths'),
    shared('help'),
  ],
  examples: ['dgt worker --queue redis://10.0.0.5:6379 --concurrency 4'],
};

function describe(event: WorkerEvent): string {
  switch (event.type) {
    case 'worker-ready':
      return `serving ${event.builders.join(', ')} (${event.concurrency} job${event.concurrency === 1 ? '' : 's'} at once per builder)`;
    case 'job-start':
      return `job ${event.jobId} of ${event.builder}: attempt ${event.attempt}, ${event.rows} rows`;
    case 'job-done':
      return `job ${event.jobId} of ${event.builder}: ${event.outputs} outputs in ${(event.durationMs / 1000).toFixed(1)} s`;
    case 'job-failed':
      return `job ${event.jobId} of ${event.builder} failed: ${event.error}`;
  }
}

/** `dgt worker`: returns 0 after a graceful stop, 130 when jobs in hand were abandoned. */
export async function workerCommand(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, WORKER_COMMAND.flags, 'worker');
  if (flags.help) {
    io.out.write(commandHelp(WORKER_COMMAND));
    return 0;
  }
  const { str, int, list } = flagReader(flags);
  const queueUrl = resolveSharedStateUrl(str('queue'), io.env);
  if (!queueUrl) {
    throw new DgtError(
      'USAGE',
      'dgt worker needs the queue to take jobs from: --queue redis://HOST:PORT (or DGT_QUEUE_URL).',
    );
  }
  const concurrency = int('concurrency') ?? 1;
  if (concurrency < 1) {
    throw new DgtError('USAGE', '--concurrency needs a whole number of jobs above 0, e.g. 4.');
  }
  const stalledAfter = flagReader(flags).num('stalled-after');
  if (stalledAfter !== undefined && stalledAfter < 1) {
    throw new DgtError('USAGE', '--stalled-after needs at least 1 second, e.g. 30.');
  }
  const registry = await discoverFromFlags(flags, io);
  const log = (line: string) => io.err.write(`dgt worker: ${line}\n`);
  const worker = await startWorker({
    queueUrl,
    registry,
    env: io.env,
    workDir: io.cwd,
    builders: list('builders'),
    concurrency,
    ...(str('base-url') ? { lmBaseUrl: str('base-url') } : {}),
    ...(stalledAfter !== undefined ? { stalledAfterMs: stalledAfter * 1000 } : {}),
    onEvent: (event) => log(describe(event)),
  });
  log(`taking jobs from ${redactUrl(queueUrl)}`);
  let forced = false;
  let remove: () => void = () => undefined;
  await new Promise<void>((resolve) => {
    remove = io.onInterrupt((count) => {
      if (count === 1) {
        log('finishing the jobs in hand, then stopping (signal again to abandon them).');
        void worker.close().then(resolve);
      } else {
        forced = true;
        log('abandoning the jobs in hand: the queue gives them to another worker.');
        void worker.close(true).then(resolve);
      }
    });
  });
  remove();
  log('stopped.');
  return forced ? 130 : 0;
}
