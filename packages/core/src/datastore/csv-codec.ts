import { createReadStream } from 'node:fs';
import type { StoredRecord } from '../contracts/v1/datastore.js';
import { DgtError } from '../errors/dgt-error.js';
import { strictUtf8 } from './read-utf8-file.js';
import type { RecordFileCodec } from './record-file-codec.js';

/** A record field as a CSV cell: strings as they are, objects as JSON, nothing as empty. */
function toCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * CSV files with a header row. Reading streams the rows; every value is a string (CSV has no
 * types). Writing uses the union of the records' keys, in first-seen order, as the header;
 * nested values are written as JSON.
 */
export const csvCodec: RecordFileCodec = {
  format: 'CSV',
  async *read(path) {
    // The CSV libraries load when a CSV file is first read or written, not with every run.
    const { parse } = await import('csv-parse');
    const text = createReadStream(path).pipe(strictUtf8(path));
    const rows = text.pipe(parse({ columns: true, bom: true, skip_empty_lines: true }));
    // A decoding error ends the text stream; pass it on to the rows being read.
    text.on('error', (error) => rows.destroy(error));
    try {
      for await (const row of rows) yield row as StoredRecord;
    } catch (cause) {
      if (cause instanceof DgtError) throw cause;
      const line = (cause as { lines?: unknown }).lines;
      const where = typeof line === 'number' ? `${path}:${line}` : path;
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new DgtError('DATA_FILE', `${where}: not valid CSV (${reason}). Fix the file.`, {
        cause,
      });
    }
  },
  async *serialize(records) {
    // The header needs every key, so CSV collects the records before writing.
    const all: StoredRecord[] = [];
    const columns = new Set<string>();
    for await (const record of records) {
      all.push(record);
      for (const key of Object.keys(record)) columns.add(key);
    }
    if (columns.size === 0) return;
    const header = [...columns];
    const { stringify } = await import('csv-stringify/sync');
    yield stringify(
      all.map((record) => header.map((key) => toCell(record[key]))),
      { header: true, columns: header },
    );
  },
};
