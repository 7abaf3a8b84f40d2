import type { StoredRecord } from '../contracts/v1/datastore.js';
import { DgtError } from '../errors/dgt-error.js';
import { type LineReadOptions, readLines } from './line-reader.js';

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

/** How {@link readJsonlRecords} treats a file. */
export type JsonlReadOptions = LineReadOptions & {
  /**
   * A last line that is not valid JSON and has no newline after it: `skip` it (what a crash in
   * the middle of an append leaves in DGT's own files) or report an `error`. Default: `error`
   * for a user's input, `skip` otherwise.
   */
  tornLastLine?: 'error' | 'skip';
  /** Told of a torn last line that was skipped, with file and line (a user's input only). */
  warn?: (message: string) => void;
};

/**
 * Streams the records of a JSON Lines file, one line at a time; blank lines are skipped.
 *
 * A line that is not a JSON object is a DgtError naming `file:line`. A torn last line (invalid
 * JSON with no newline after it) is what a crash in the middle of an append leaves: in DGT's
 * own files it is skipped (appending through the JSONL datastore truncates it away first); in a
 * user's input it is an error, since dropping it would change the user's data without a word.
 */
export async function* readJsonlRecords(
  path: string,
  options: JsonlReadOptions = {},
): AsyncGenerator<StoredRecord> {
  const torn = options.tornLastLine ?? (options.userInput ? 'error' : 'skip');
  let unparsable: { line: number; error: unknown } | undefined;
  for await (const { text, number, terminated } of readLines(path, options)) {
    // A line follows the bad one, so the bad one was complete: a real error.
    if (unparsable) throw invalidLineError(path, unparsable.line, unparsable.error);
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (terminated) throw invalidLineError(path, number, error);
      if (torn === 'error') throw tornLineError(path, number, error);
      unparsable = { line: number, error };
      continue;
    }
    if (!isRecordObject(value)) {
      throw new DgtError(
        'DATA_FILE',
        `${path}:${number}: expected one JSON object per line, got ${describeJsonType(value)}.`,
      );
    }
    yield value;
  }
  // The loop ended on the unparsable line: it was the torn last one, skipped.
  if (unparsable && options.warn) {
    const reason =
      unparsable.error instanceof Error ? unparsable.error.message : String(unparsable.error);
    options.warn(
      `${path}:${unparsable.line}: skipped the incomplete last line (no newline at the end, and not valid JSON: ${reason}) as torn_last_line: skip asks; the records before it were read.`,
    );
  }
}

function tornLineError(path: string, line: number, cause: unknown): DgtError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new DgtError(
    'DATA_FILE',
    `${path}:${line}: the last line is incomplete (no newline at the end, and not valid JSON: ${reason}); the file may have been cut off while being written. Complete or delete that line (or set torn_last_line: skip on the datastore to skip it).`,
    { cause },
  );
}

function invalidLineError(path: string, line: number, cause: unknown): DgtError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new DgtError(
    'DATA_FILE',
    `${path}:${line}: not valid JSON (${reason}). Fix or delete that line.`,
    { cause },
  );
}
