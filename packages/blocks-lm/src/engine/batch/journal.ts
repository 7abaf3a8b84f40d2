import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** A batch submitted and not yet collected: its id and the cache keys of its requests. */
export type PendingBatch = { batchId: string; keys: string[]; submittedAt: number };

type Line =
  | { op: 'submitted'; batch: string; keys: string[]; at: number }
  | { op: 'collected'; batch: string; status: string; at: number };

/**
 * The durable record of one endpoint's batches: an append-only JSONL file beside the request
 * cache (`<cache dir>/batches/<endpoint hash>.jsonl`). A batch's id and the cache keys it carries
 * are written and fsynced the moment the provider returns the id, before anything else; a
 * `collected` line follows once its results are stored. Keeping it beside the cache rather than
 * in a task's output folder ties it to the requests themselves: whichever run (or task, or
 * `--restart`) issues a request a pending batch carries re-attaches to that batch instead of
 * paying for it twice, and collected answers land in the cache they are looked up in.
 */
export type BatchJournal = {
  readonly path: string;
  /** Batches submitted and not collected, oldest first. */
  pending(): PendingBatch[];
  submitted(batch: PendingBatch): void;
  collected(batchId: string, status: string): void;
};

function appendDurably(path: string, line: Line): void {
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, `${JSON.stringify(line)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Opens the journal of batches sent to `endpoint` by `provider`, in `dir` (the cache folder). */
export function openBatchJournal(dir: string, provider: string, endpoint: string): BatchJournal {
  const folder = join(dir, 'batches');
  mkdirSync(folder, { recursive: true });
  const name = createHash('sha256').update(`${provider}\n${endpoint}`).digest('hex').slice(0, 16);
  const path = join(folder, `${provider}-${name}.jsonl`);
  return {
    path,
    pending() {
      let text = '';
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        return [];
      }
      const open = new Map<string, PendingBatch>();
      for (const raw of text.split('\n')) {
        if (!raw.trim()) continue;
        let line: Line;
        try {
          line = JSON.parse(raw);
        } catch {
          continue; // a line torn by a crash mid-write: its batch was never confirmed
        }
        if (line.op === 'submitted') {
          open.set(line.batch, { batchId: line.batch, keys: line.keys, submittedAt: line.at });
        } else open.delete(line.batch);
      }
      return [...open.values()];
    },
    submitted(batch) {
      appendDurably(path, {
        op: 'submitted',
        batch: batch.batchId,
        keys: batch.keys,
        at: batch.submittedAt,
      });
    },
    collected(batchId, status) {
      appendDurably(path, { op: 'collected', batch: batchId, status, at: Date.now() });
    },
  };
}
