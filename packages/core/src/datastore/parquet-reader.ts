import { stat } from 'node:fs/promises';
import type { AsyncBuffer, Compressors, FileMetaData } from 'hyparquet';
import type { StoredRecord } from '../contracts/v1/datastore.js';
import { DgtError, isDgtError } from '../errors/dgt-error.js';
import { missingFileError } from './data-path.js';

// hyparquet decodes these codecs itself; any other one needs hyparquet-compressors.
const BUILTIN_CODECS = new Set(['UNCOMPRESSED', 'SNAPPY']);

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Streams the records of a Parquet file, one row group at a time: only the footer and the
 * current group's rows are in memory, so a large file reads in bounded memory. Rows come in file
 * order, so the n-th record is row n (dataloader positions are row indexes). Values are made
 * JSON-safe by {@link toJsonValue}. A file that is empty, truncated or not Parquet at all is a
 * `DATA_FILE` DgtError naming the file.
 */
export async function* readParquetRecords(path: string): AsyncGenerator<StoredRecord> {
  // hyparquet loads when a Parquet file is first read, not with every run.
  const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } = await import(
    'hyparquet'
  );
  let file: AsyncBuffer;
  let metadata: FileMetaData;
  try {
    if ((await stat(path)).size === 0) throw new Error('the file is empty');
    file = await asyncBufferFromFile(path);
    metadata = await parquetMetadataAsync(file);
  } catch (cause) {
    throw notParquet(path, cause);
  }
  const compressors = await compressorsFor(metadata);
  let rowStart = 0;
  for (const [index, group] of metadata.row_groups.entries()) {
    const rowEnd = rowStart + Number(group.num_rows);
    if (rowEnd > rowStart) {
      let rows: Record<string, unknown>[];
      try {
        rows = await parquetReadObjects({
          file,
          metadata,
          rowStart,
          rowEnd,
          ...(compressors ? { compressors } : {}),
        });
      } catch (cause) {
        throw notParquet(path, cause, `row group ${index}`);
      }
      for (const row of rows) yield toJsonValue(row) as StoredRecord;
    }
    rowStart = rowEnd;
  }
}

/** The extra decompressors the file's column chunks need, loaded only when they need any. */
async function compressorsFor(metadata: FileMetaData): Promise<Compressors | undefined> {
  const needed = metadata.row_groups.some((group) =>
    group.columns.some((column) => {
      const codec = column.meta_data?.codec;
      return codec !== undefined && !BUILTIN_CODECS.has(codec);
    }),
  );
  if (!needed) return undefined;
  const { compressors } = await import('hyparquet-compressors');
  return compressors as Compressors;
}

function notParquet(path: string, cause: unknown, where?: string): DgtError {
  if (isDgtError(cause)) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  // Removed between the datastore's existence check and the read.
  if ((cause as { code?: unknown }).code === 'ENOENT') return missingFileError(path);
  return new DgtError(
    'DATA_FILE',
    `${path}${where ? ` (${where})` : ''}: not a readable Parquet file (${reason}). Check that ` +
      `the file is complete (download or export it again), or point data_path at the right file.`,
    { cause },
  );
}

/**
 * Turns a value decoded from Parquet into plain JSON, so records can be written to JSON Lines
 * and compared: INT64 `bigint`s become numbers when they are safe integers and decimal strings
 * otherwise; dates become ISO strings; bytes become base64; typed arrays become arrays; NaN,
 * infinities and `undefined` become `null` (pandas writes NaN for a missing float).
 */
export function toJsonValue(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value.toString();
    case 'undefined':
      return null;
    case 'object':
      break;
    default:
      return String(value);
  }
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (ArrayBuffer.isView(value)) {
    return Array.from(value as unknown as ArrayLike<unknown>, toJsonValue);
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) out[key] = toJsonValue(field);
  return out;
}
