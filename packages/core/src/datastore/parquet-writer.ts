import type { SchemaElement } from 'hyparquet';
import type { StoredRecord } from '../contracts/v1/datastore.js';
import type { RecordSource } from './record-file-codec.js';

/** Rows per row group when the store does not say: small enough to read a group at a time. */
export const DEFAULT_ROW_GROUP_SIZE = 10_000;

/** How a column is stored: a Parquet primitive, or JSON text for anything else. */
type ColumnKind = 'BOOLEAN' | 'INT64' | 'DOUBLE' | 'STRING' | 'JSON';

type Column = { name: string; kind: ColumnKind };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Options of {@link serializeParquet}. */
export type ParquetWriteOptions = {
  /** Rows per row group. Default {@link DEFAULT_ROW_GROUP_SIZE}. */
  rowGroupSize?: number;
};

/**
 * Yields the bytes of a Parquet file (Snappy-compressed) holding `records`, one chunk per row
 * group and one for the footer.
 *
 * Each key of any record is a nullable column, in first-seen order; a record without the key
 * has `null` there (and reads back with `key: null`). A column's type is chosen from all its
 * non-null values: booleans are BOOLEAN, safe integers INT64, other numbers (or integers mixed
 * with them) DOUBLE, strings STRING (UTF8); objects, arrays and columns whose values are of
 * mixed kinds are JSON text (BYTE_ARRAY annotated JSON), which DGT reads back as the same
 * values and other tools see as strings. A column with only nulls is STRING.
 *
 * The types need every value, so the records are collected before the first byte is written.
 */
export async function* serializeParquet(
  records: RecordSource,
  options: ParquetWriteOptions = {},
): AsyncGenerator<Uint8Array> {
  const all: StoredRecord[] = [];
  const kinds = new Map<string, ColumnKind | undefined>();
  for await (const record of records) {
    all.push(record);
    for (const [key, value] of Object.entries(record)) {
      kinds.set(key, mergeKinds(kinds.get(key), kindOf(value)));
    }
  }
  const columns: Column[] = [...kinds].map(([name, kind]) => ({ name, kind: kind ?? 'STRING' }));
  const schema: SchemaElement[] = [
    { name: 'root', num_children: columns.length },
    ...columns.map(schemaElement),
  ];

  // hyparquet-writer loads when a Parquet file is first written, not with every run.
  const { ByteWriter, ParquetWriter } = await import('hyparquet-writer');
  const writer = new ByteWriter();
  const parquet = new ParquetWriter({ writer, schema, createdBy: 'DGT (hyparquet-writer)' });
  // Hand out what the writer holds and start its buffer again (its offset keeps counting, as
  // the footer needs), so at most one encoded row group is in memory.
  const drain = (): Uint8Array => {
    const bytes = writer.getBytes().slice();
    writer.index = 0;
    return bytes;
  };
  const size = Math.max(1, Math.floor(options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE));
  for (let start = 0; start < all.length; start += size) {
    const group = all.slice(start, start + size);
    await parquet.write({
      columnData: columns.map(({ name, kind }) => ({
        name,
        data: group.map((record) => columnValue(record[name], kind)),
      })),
      rowGroupSize: group.length,
    });
    yield drain();
  }
  await parquet.finish();
  yield drain();
}

function kindOf(value: unknown): ColumnKind | undefined {
  switch (typeof value) {
    case 'undefined':
      return undefined;
    case 'boolean':
      return 'BOOLEAN';
    case 'number':
      return Number.isSafeInteger(value) ? 'INT64' : 'DOUBLE';
    case 'bigint':
      return value >= INT64_MIN && value <= INT64_MAX ? 'INT64' : 'JSON';
    case 'string':
      return 'STRING';
    default:
      return value === null ? undefined : 'JSON';
  }
}

function mergeKinds(a: ColumnKind | undefined, b: ColumnKind | undefined): ColumnKind | undefined {
  if (a === undefined || a === b) return b ?? a;
  if (b === undefined) return a;
  const numbers = new Set<ColumnKind>(['INT64', 'DOUBLE']);
  if (numbers.has(a) && numbers.has(b)) return 'DOUBLE';
  // Mixed kinds (a string here, a number there) keep every value exactly as JSON text.
  return 'JSON';
}

function schemaElement({ name, kind }: Column): SchemaElement {
  const repetition_type = 'OPTIONAL' as const;
  switch (kind) {
    case 'STRING':
      return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type };
    case 'JSON':
      return { name, type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type };
    default:
      return { name, type: kind, repetition_type };
  }
}

function columnValue(value: unknown, kind: ColumnKind): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'INT64':
      return typeof value === 'bigint' ? value : BigInt(value as number);
    case 'DOUBLE':
      return Number(value);
    default:
      return value;
  }
}
