import { extname } from 'node:path';
import { DgtError } from '../errors/dgt-error.js';

/** The file formats the built-in datastores read and write. */
export type DataFormat = 'jsonl' | 'json' | 'yaml' | 'csv' | 'parquet' | 'documents';

const FORMAT_BY_NAME: Readonly<Record<string, DataFormat>> = {
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  json: 'json',
  yaml: 'yaml',
  yml: 'yaml',
  csv: 'csv',
  parquet: 'parquet',
  text: 'documents',
  txt: 'documents',
  markdown: 'documents',
  md: 'documents',
};

/** File extensions of each format, the first being the one new files get. */
export const FORMAT_EXTENSIONS: Readonly<Record<DataFormat, readonly string[]>> = {
  jsonl: ['.jsonl', '.ndjson'],
  json: ['.json'],
  yaml: ['.yaml', '.yml'],
  csv: ['.csv'],
  parquet: ['.parquet'],
  documents: ['.md', '.markdown', '.txt'],
};

/** Extensions of record files (every format but documents). */
export const RECORD_FILE_EXTENSIONS: readonly string[] = [
  ...FORMAT_EXTENSIONS.jsonl,
  ...FORMAT_EXTENSIONS.json,
  ...FORMAT_EXTENSIONS.yaml,
  ...FORMAT_EXTENSIONS.csv,
  ...FORMAT_EXTENSIONS.parquet,
];

/** The format a file's extension names, or `undefined` for an extension no format claims. */
export function formatFromExtension(path: string): DataFormat | undefined {
  const ext = extname(path).toLowerCase();
  for (const [format, extensions] of Object.entries(FORMAT_EXTENSIONS)) {
    if (extensions.includes(ext)) return format as DataFormat;
  }
  return undefined;
}

/** Parses a `data_format` value; throws a DgtError listing the known names otherwise. */
export function parseDataFormat(name: string): DataFormat {
  const format = FORMAT_BY_NAME[name.toLowerCase()];
  if (format) return format;
  throw new DgtError(
    'UNKNOWN_DATASTORE_TYPE',
    `Unknown data_format '${name}'. Known formats: ${Object.keys(FORMAT_BY_NAME).join(', ')}.`,
  );
}
