import { dirname } from 'node:path';
import { DgtError } from '../errors/dgt-error.js';

/**
 * A write that failed because the disk (or the user's quota) is full, as a DgtError naming the
 * folder and saying the run resumes after space is freed; any other error is returned as it is.
 * What was appended before the failure is durable, and a half-written line is cut away before
 * the next append, so resuming loses and duplicates nothing.
 */
export function diskFullError(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return error;
  return new DgtError(
    'DISK_FULL',
    `No space left to write ${path}: the folder ${dirname(path)} is on a full disk${code === 'EDQUOT' ? ' (disk quota reached)' : ''}. Free some space there and run the same command again: the run resumes where it stopped.`,
    { cause: error },
  );
}
