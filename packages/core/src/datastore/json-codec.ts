import type { StoredRecord } from '../contracts/v1/datastore.js';
import { DgtError } from '../errors/dgt-error.js';
import { findJsonSyntaxError } from './json-error-position.js';
import { describeJsonType, isRecordObject } from './jsonl-reader.js';
import { readUtf8File } from './read-utf8-file.js';
import type { RecordFileCodec } from './record-file-codec.js';

/**
 * Parses the text of a JSON file holding an array of objects (an empty file holds none).
 * Syntax errors name `file:line:column`; a wrong shape names the file and the item.
 */
export function parseJsonRecords(text: string, path: string): StoredRecord[] {
  const source = text.replace(/^\uFEFF/, '');
  if (source.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (cause) {
    const at = findJsonSyntaxError(source);
    const where = at ? `${path}:${at.line}:${at.column}` : path;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new DgtError('DATA_FILE', `${where}: not valid JSON (${reason}). Fix the file.`, {
      cause,
    });
  }
  if (!Array.isArray(value)) {
    throw new DgtError(
      'DATA_FILE',
      `${path}: expected a JSON array of objects, got ${describeJsonType(value)}. Wrap the ` +
        `records in [ ... ], or use a .jsonl file with one object per line.`,
    );
  }
  value.forEach((item, index) => {
    if (!isRecordObject(item)) {
      throw new DgtError(
        'DATA_FILE',
        `${path}: item ${index} of the array is ${describeJsonType(item)}, not an object.`,
      );
    }
  });
  return value as StoredRecord[];
}

/** JSON files holding an array of records; written one record per line inside the brackets. */
export const jsonCodec: RecordFileCodec = {
  format: 'JSON',
  async *read(path) {
    yield* parseJsonRecords(await readUtf8File(path), path);
  },
  async *serialize(records) {
    let first = true;
    for await (const record of records) {
      yield `${first ? '[\n' : ',\n'}  ${JSON.stringify(record)}`;
      first = false;
    }
    yield first ? '[]\n' : '\n]\n';
  },
};
