import type { StoredRecord } from '../contracts/v1/datastore.js';

/** Records given one by one, in memory or streamed. */
export type RecordSource = Iterable<StoredRecord> | AsyncIterable<StoredRecord>;

/**
 * How a whole-file format (JSON array, YAML list, CSV) reads and writes records. `read` gets an
 * existing file; `serialize` yields the text of a complete file.
 */
export type RecordFileCodec = {
  /** The format's name, for messages. */
  readonly format: string;
  read(path: string): AsyncIterable<StoredRecord>;
  serialize(records: RecordSource): AsyncIterable<string>;
};
