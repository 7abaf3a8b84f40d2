import { rm } from 'node:fs/promises';
import type { DatastoreV1, StoredRecord } from '../contracts/v1/datastore.js';
import { writeFileAtomic } from './atomic-write.js';
import { missingFileError, pathExists } from './data-path.js';
import type { RecordFileCodec, RecordSource } from './record-file-codec.js';
import { createSerialQueue } from './serial-queue.js';

/** Options of the whole-file datastores (JSON, YAML, CSV). */
export type WholeFileDatastoreOptions = {
  /** Reading a missing file is an error rather than an empty store. Default `false`. */
  mustExist?: boolean;
};

/**
 * A datastore over a format that is only valid as a whole file. Every change rewrites the file
 * atomically (temporary file, flush, rename), so `append` is durable but costs a full rewrite:
 * fine for seed and result files, use JSON Lines for large outputs.
 */
export function createWholeFileDatastore(
  path: string,
  codec: RecordFileCodec,
  options: WholeFileDatastoreOptions = {},
): DatastoreV1 {
  const queue = createSerialQueue();

  async function* read(): AsyncGenerator<StoredRecord> {
    if (!(await pathExists(path))) {
      if (options.mustExist) throw missingFileError(path);
      return;
    }
    yield* codec.read(path);
  }

  async function* concat(first: RecordSource, second: RecordSource): AsyncGenerator<StoredRecord> {
    yield* first;
    yield* second;
  }

  return {
    specificationVersion: 'v1',
    kind: 'datastore',
    location: path,
    exists: () => pathExists(path),
    read,
    append: (records) =>
      queue(async () => {
        if (records.length === 0) return;
        const existing = (await pathExists(path)) ? codec.read(path) : [];
        await writeFileAtomic(path, codec.serialize(concat(existing, records)));
      }),
    write: (records) => queue(() => writeFileAtomic(path, codec.serialize(records))),
    clear: () => queue(() => rm(path, { force: true })),
    close: async () => {
      await queue(async () => undefined);
    },
  };
}
