import { randomUUID } from 'node:crypto';
import { DgtError, redactUrl, resolveSharedStateUrl } from '@dgt/core';
import type { CliIo } from '../io.js';
import type { ParsedFlags } from '../parse-flags.js';
import type { CoordinatorNotice, QueueExecutor } from '../worker/queue-executor.js';
import { flagReader } from './plan-options.js';

function describe(notice: CoordinatorNotice): string {
  switch (notice.type) {
    case 'no-workers':
      return `no dgt worker serves ${notice.builder} (queue ${notice.queue}): its attempts wait until one starts.`;
    case 'workers':
      return `workers of ${notice.builder} take ${notice.concurrency} job${notice.concurrency === 1 ? '' : 's'} at once.`;
    case 'reattached':
      return `re-attached to job ${notice.jobId} of ${notice.builder} (${notice.state}), queued before a restart.`;
    case 'per-worker-state':
      return `warning: in ${notice.builder}, ${notice.blocks.join(', ')} ${notice.blocks.length === 1 ? 'keeps' : 'keep'} per-task state: on workers each sees only the rows of its own jobs, so duplicates handled by different workers are not compared. A postprocessor runs here, over every record.`;
  }
}

/**
 * The attempt executor of `dgt run --queue` (or `DGT_QUEUE_URL`): the run becomes the
 * coordinator, and `dgt worker` processes make its builder calls. `undefined` without a queue:
 * a run on one machine loads neither BullMQ nor Redis.
 */
export async function queueExecutorFromFlags(
  flags: ParsedFlags,
  io: CliIo,
): Promise<QueueExecutor | undefined> {
  const queueUrl = resolveSharedStateUrl(flagReader(flags).str('queue'), io.env);
  if (!queueUrl) return undefined;
  if (flags.batch === true) {
    throw new DgtError(
      'USAGE',
      '--batch cannot be used with --queue: Batch API jobs are submitted and collected by one process. Leave out one of them.',
    );
  }
  const { createQueueExecutor } = await import('../worker/queue-executor.js');
  const executor = await createQueueExecutor({
    queueUrl,
    // A fresh key makes every job new: --restart must not reuse the results of the run before.
    jobKey: flags.restart === true ? randomUUID() : '',
    onNotice: (notice) => io.err.write(`dgt: ${describe(notice)}\n`),
  });
  io.err.write(`dgt: coordinating: attempts go to the workers on ${redactUrl(queueUrl)}.\n`);
  return executor;
}
