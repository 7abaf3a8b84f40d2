import type { StoredRecord } from '../contracts/v1/datastore.js';
import { csvCodec } from './csv-codec.js';
import type { DataFormat } from './data-format.js';
import { readDocument } from './document-reader.js';
import { jsonCodec } from './json-codec.js';
import { type JsonlReadOptions, readJsonlRecords } from './jsonl-reader.js';
import { readParquetRecords } from './parquet-reader.js';
import { yamlCodec } from './yaml-codec.js';

/** Streams the records of one existing file in the given format (a document is one record). */
export async function* readRecordFile(
  file: string,
  format: DataFormat,
  baseDir: string,
  input?: JsonlReadOptions,
): AsyncGenerator<StoredRecord> {
  switch (format) {
    case 'jsonl':
      yield* readJsonlRecords(file, input);
      return;
    case 'json':
      yield* jsonCodec.read(file);
      return;
    case 'yaml':
      yield* yamlCodec.read(file);
      return;
    case 'csv':
      yield* csvCodec.read(file);
      return;
    case 'parquet':
      yield* readParquetRecords(file);
      return;
    case 'documents':
      yield await readDocument(file, baseDir);
      return;
  }
}
