import type { StoredRecord } from '../contracts/v1/datastore.js';
import type { FileChunk } from './atomic-write.js';

/** Records given one by one, in memory or streamed. */
export type RecordSource = Iterable<StoredRecord> | AsyncIterable<StoredRecord>;

/**
 * How a whole-file format (JSON array, YAML list, CSV, Parquet) reads and writes records. `read`
 * gets an existing file; `serialize` yields the content of a complete file, as text or bytes.
 */
export type RecordFileCodec = {
  /** The format's name, for messages. */
  readonly format: string;
  read(path: string): AsyncIterable<StoredRecord>;
  serialize(records: RecordSource): AsyncIterable<FileChunk>;
};
