import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { StoredRecord } from '../contracts/v1/datastore.js';
import { DgtError } from '../errors/dgt-error.js';

/** True for a plain JSON object (what a record must be). */
export function isRecordObject(value: unknown): value is StoredRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a JSON value's type, for messages. */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Streams the records of a JSON Lines file, one line at a time; blank lines are skipped.
 *
 * A line that is not a JSON object is a DgtError naming `file:line`, except a torn last line:
 * invalid JSON with no newline after it is what a crash in the middle of an append leaves, so
 * it is skipped (appending through the JSONL datastore truncates it away first).
 */
export async function* readJsonlRecords(path: string): AsyncGenerator<StoredRecord> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  // readline does not say whether the last line ended with a newline; the last byte does.
  let lastChar = '';
  stream.on('data', (chunk) => {
    if (chunk.length > 0) lastChar = (chunk as string).slice(-1);
  });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  let unparsable: { line: number; error: unknown } | undefined;
  try {
    for await (const line of lines) {
      lineNumber++;
      // A line follows the bad one, so the bad one was complete: a real error.
      if (unparsable) throw invalidLineError(path, unparsable.line, unparsable.error);
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        unparsable = { line: lineNumber, error };
        continue;
      }
      if (!isRecordObject(value)) {
        throw new DgtError(
          'DATA_FILE',
          `${path}:${lineNumber}: expected one JSON object per line, got ${describeJsonType(value)}.`,
        );
      }
      yield value;
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  if (unparsable && lastChar === '\n')
    throw invalidLineError(path, unparsable.line, unparsable.error);
}

function invalidLineError(path: string, line: number, cause: unknown): DgtError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new DgtError(
    'DATA_FILE',
    `${path}:${line}: not valid JSON (${reason}). Fix or delete that line.`,
    { cause },
  );
}
