import { DgtError, redactUrl, resolveSharedStateUrl } from '@dgt/core';
import type { CliIo } from '../io.js';
import { commandHelp, parseFlags } from '../parse-flags.js';
import { startWorker, type WorkerEvent } from '../worker/worker.js';
import { WORKER_COMMAND } from './definitions.js';
import { discoverFromFlags, flagReader } from './plan-options.js';

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
