import { z } from 'zod';
import { defineDatastore } from '../contracts/define.js';
import type { DatastoreV1 } from '../contracts/v1/datastore.js';
import { resolveStoreTarget } from './data-path.js';
import { datastoreConfigSchema } from './datastore-config.js';
import { createFileSetDatastore } from './file-set-datastore.js';
import { readParquetRecords } from './parquet-reader.js';
import { DEFAULT_ROW_GROUP_SIZE, serializeParquet } from './parquet-writer.js';
import type { RecordFileCodec } from './record-file-codec.js';
import {
  createWholeFileDatastore,
  type WholeFileDatastoreOptions,
} from './whole-file-datastore.js';

/** Options of {@link createParquetDatastore}. */
export type ParquetDatastoreOptions = WholeFileDatastoreOptions & {
  /** Rows per row group of the files it writes. Default 10,000. */
  rowGroupSize?: number;
};

/**
 * A Parquet file, the format of most Hugging Face datasets.
 *
 * - `read` streams one row group at a time; INT64 values come back as numbers (as strings past
 *   2^53), timestamps as ISO strings, nested lists and structs as arrays and objects.
 * - `append` and `write` rewrite the whole file atomically (temporary file, flush, rename), as
 *   Parquet files cannot be appended to: an append is durable when it resolves, but costs a
 *   rewrite of everything before it. Use it for inputs and final outputs; keep the run's
 *   working stores in JSON Lines.
 * - Column types are inferred from the records (see the datastore docs); nested values are
 *   stored as JSON text.
 *
 * @example
 * const store = createParquetDatastore('out/records.parquet');
 * await store.write([{ id: 1, text: 'hello' }]);
 * for await (const record of store.read()) console.log(record);
 */
export function createParquetDatastore(
  path: string,
  options: ParquetDatastoreOptions = {},
): DatastoreV1 {
  const { rowGroupSize, ...fileOptions } = options;
  const codec: RecordFileCodec = {
    format: 'Parquet',
    read: readParquetRecords,
    serialize: (records) =>
      serializeParquet(records, rowGroupSize === undefined ? {} : { rowGroupSize }),
  };
  return createWholeFileDatastore(path, codec, fileOptions);
}

/** The keys of a `parquet` datastore mapping: the common ones plus `row_group_size`. */
export const parquetDatastoreConfigSchema = datastoreConfigSchema.extend({
  /** Rows per row group of the files the store writes. */
  row_group_size: z.number().int().positive().optional(),
});

/**
 * The `parquet` datastore type (the `default` type also picks Parquet for `.parquet` paths).
 * With a folder or glob `data_path`, such as a dataset's `data/train-*.parquet` shards, it
 * reads every matching `.parquet` file in path order (read-only).
 */
export const parquetDatastore = defineDatastore({
  description: `A Parquet file, the format of Hugging Face datasets; read a row group at a time, rewritten on every write (row_group_size rows per group, default ${DEFAULT_ROW_GROUP_SIZE}).`,
  configSchema: parquetDatastoreConfigSchema,
  async create(config, ctx) {
    const target = await resolveStoreTarget(config, ctx, '.parquet');
    if (target.kind !== 'file') {
      return createFileSetDatastore(target, { format: 'parquet', baseDir: ctx.baseDir });
    }
    return createParquetDatastore(target.path, {
      mustExist: target.explicit,
      ...(config.row_group_size === undefined ? {} : { rowGroupSize: config.row_group_size }),
    });
  },
});
