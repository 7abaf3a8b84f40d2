import { type FileHandle, mkdir, open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { defineDatastore } from '../contracts/define.js';
import type { DatastoreV1, StoredRecord } from '../contracts/v1/datastore.js';
import { syncDirectory, writeFileAtomic } from './atomic-write.js';
import { missingFileError, pathExists, resolveStoreTarget } from './data-path.js';
import { datastoreConfigSchema } from './datastore-config.js';
import { diskFullError } from './disk-full.js';
import { createFileSetDatastore } from './file-set-datastore.js';
import { type JsonlReadOptions, readJsonlRecords } from './jsonl-reader.js';
import { type JsonlTailRepair, repairJsonlTail } from './jsonl-tail-repair.js';
import { createSerialQueue } from './serial-queue.js';

/** Options of {@link createJsonlDatastore}. */
export type JsonlDatastoreOptions = {
  /**
   * Reading a missing file is an error (input data named by `data_path`) rather than an empty
   * store (an output store not written yet). Default `false`.
   */
  mustExist?: boolean;
  /** How reads treat the file (a user's input is read strictly; see `readJsonlRecords`). */
  read?: JsonlReadOptions;
};

/** A JSON Lines datastore; {@link JsonlDatastore.repair} is also run before the first append. */
export type JsonlDatastore = DatastoreV1 & {
  /** Cuts a torn last line away (or terminates a complete one); see {@link repairJsonlTail}. */
  repair(): Promise<JsonlTailRepair>;
};

/**
 * A JSON Lines file: one record per line, the default store of every task.
 *
 * - `append` keeps the file open and flushes to disk (`fdatasync`) before it resolves, so an
 *   appended record survives a crash. Before the first append the file's tail is repaired: a
 *   torn last line left by a crash is truncated away, so the next record starts on a clean line.
 * - `read` streams line by line; a bad line is a DgtError naming `file:line`, except a torn
 *   last line, which is skipped.
 * - `write` replaces the file atomically (temporary file, flush, rename).
 * - Missing parent folders are created on the first append or write.
 */
export function createJsonlDatastore(
  path: string,
  options: JsonlDatastoreOptions = {},
): JsonlDatastore {
  const queue = createSerialQueue();
  let handle: FileHandle | undefined;

  const openForAppend = async (): Promise<FileHandle> => {
    if (handle) return handle;
    const dir = dirname(path);
    await mkdir(dir, { recursive: true });
    const existed = await pathExists(path);
    await repairJsonlTail(path);
    handle = await open(path, 'a');
    if (!existed) await syncDirectory(dir);
    return handle;
  };

  const closeHandle = async (): Promise<void> => {
    const current = handle;
    handle = undefined;
    await current?.close();
  };

  async function* read(): AsyncGenerator<StoredRecord> {
    if (!(await pathExists(path))) {
      if (options.mustExist) throw missingFileError(path);
      return;
    }
    yield* readJsonlRecords(path, options.read);
  }

  async function* lines(
    records: Iterable<StoredRecord> | AsyncIterable<StoredRecord>,
  ): AsyncGenerator<string> {
    for await (const record of records) yield `${JSON.stringify(record)}\n`;
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
        const text = records.map((record) => `${JSON.stringify(record)}\n`).join('');
        const file = await openForAppend();
        try {
          await file.writeFile(text, 'utf8');
          await file.datasync();
        } catch (error) {
          // The write may have stopped mid-line: reopen (and so repair) before the next append.
          await closeHandle().catch(() => undefined);
          throw diskFullError(error, path);
        }
      }),
    write: (records) =>
      queue(async () => {
        await closeHandle();
        await writeFileAtomic(path, lines(records));
      }),
    clear: () =>
      queue(async () => {
        await closeHandle();
        await rm(path, { force: true });
      }),
    close: () => queue(closeHandle),
    repair: () =>
      queue(async () => {
        await closeHandle();
        return repairJsonlTail(path);
      }),
  };
}

/**
 * The `jsonl` datastore type. With a folder or glob `data_path` it reads every matching
 * `.jsonl` file in path order (read-only).
 */
export const jsonlDatastore = defineDatastore({
  description: 'JSON Lines, one record per line, with durable appends (the default format).',
  configSchema: datastoreConfigSchema,
  async create(config, ctx) {
    const target = await resolveStoreTarget(config, ctx, '.jsonl');
    if (target.kind !== 'file') {
      return createFileSetDatastore(target, { format: 'jsonl', baseDir: ctx.baseDir });
    }
    return createJsonlDatastore(target.path, {
      mustExist: target.explicit,
      ...(target.input ? { read: target.input } : {}),
    });
  },
});
