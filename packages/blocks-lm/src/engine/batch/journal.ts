import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** A batch submitted and not yet collected: its id and the cache keys of its requests. */
export type PendingBatch = { batchId: string; keys: string[]; submittedAt: number };

/** A submission begun (its tag sent to the provider) whose batch id was never recorded. */
export type Intent = { intent: string; keys: string[]; at: number };

type Line =
  | { op: 'intent'; intent: string; keys: string[]; at: number }
  | { op: 'submitted'; batch: string; keys: string[]; at: number; intent?: string }
  | { op: 'abandoned'; intent: string; at: number }
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
  /**
   * Submissions begun whose batch id was never recorded (a crash between the provider creating
   * the batch and the journal line): the batch may exist, and is looked for by its tag.
   */
  unconfirmed(): Intent[];
  /** Recorded before a batch is created, with the tag the provider will carry. */
  intent(intent: Intent): void;
  submitted(batch: PendingBatch, intent?: string): void;
  /** An intent whose batch the provider does not have: its requests were never submitted. */
  abandoned(intent: string): void;
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

/** Replays the journal: batches still open, and intents never confirmed. */
function read(path: string) {
  const open = new Map<string, PendingBatch>();
  const intents = new Map<string, Intent>();
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { open, intents };
  }
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    let line: Line;
    try {
      line = JSON.parse(raw);
    } catch {
      continue; // a line torn by a crash mid-write
    }
    if (line.op === 'intent') intents.set(line.intent, line);
    else if (line.op === 'abandoned') intents.delete(line.intent);
    else if (line.op === 'submitted') {
      if (line.intent) intents.delete(line.intent);
      open.set(line.batch, { batchId: line.batch, keys: line.keys, submittedAt: line.at });
    } else open.delete(line.batch);
  }
  return { open, intents };
}

/** Opens the journal of batches sent to `endpoint` by `provider`, in `dir` (the cache folder). */
export function openBatchJournal(dir: string, provider: string, endpoint: string): BatchJournal {
  const folder = join(dir, 'batches');
  mkdirSync(folder, { recursive: true });
  const name = createHash('sha256').update(`${provider}\n${endpoint}`).digest('hex').slice(0, 16);
  const path = join(folder, `${provider}-${name}.jsonl`);
  return {
    path,
    pending: () => [...read(path).open.values()],
    unconfirmed: () => [...read(path).intents.values()],
    intent(intent) {
      appendDurably(path, { op: 'intent', ...intent });
    },
    submitted(batch, intent) {
      appendDurably(path, {
        op: 'submitted',
        batch: batch.batchId,
        keys: batch.keys,
        at: batch.submittedAt,
        ...(intent ? { intent } : {}),
      });
    },
    abandoned(intent) {
      appendDurably(path, { op: 'abandoned', intent, at: Date.now() });
    },
    collected(batchId, status) {
      appendDurably(path, { op: 'collected', batch: batchId, status, at: Date.now() });
    },
  };
}
