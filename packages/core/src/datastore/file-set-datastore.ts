import type { DatastoreV1, StoredRecord } from '../contracts/v1/datastore.js';
import { isDgtError } from '../errors/dgt-error.js';
import {
  type DataFormat,
  FORMAT_EXTENSIONS,
  formatFromExtension,
  RECORD_FILE_EXTENSIONS,
} from './data-format.js';
import {
  describeTarget,
  isDirectory,
  listTargetFiles,
  missingFileError,
  pathExists,
  type StoreTarget,
} from './data-path.js';
import { readOnlyError } from './read-only.js';
import { readRecordFile } from './record-file-reader.js';

/** Options of {@link createFileSetDatastore}. */
export type FileSetDatastoreOptions = {
  /**
   * The format of every file. Without it each file is read by its extension (unknown ones as
   * JSON Lines) and a folder yields its record files (`.jsonl`, `.json`, `.yaml`, `.csv`,
   * `.parquet`).
   */
  format?: DataFormat;
  /** The folder document paths are made relative to. */
  baseDir: string;
};

/**
 * A read-only datastore over one file, every file of a folder (recursively) or the files a
 * glob matches, read one after another in path order. The files are listed again on each read.
 * Documents (`format: 'documents'`) give one `{ path, name, text }` record per file.
 */
export function createFileSetDatastore(
  target: StoreTarget,
  options: FileSetDatastoreOptions,
): DatastoreV1 {
  const location = describeTarget(target);

  const listFiles = async (): Promise<string[]> => {
    if (target.kind === 'file') {
      if (await isDirectory(target.path)) return listSet({ kind: 'folder', path: target.path });
      if (!(await pathExists(target.path))) throw missingFileError(target.path);
      return [target.path];
    }
    return listSet(target);
  };
  const listSet = (set: Exclude<StoreTarget, { kind: 'file' }>): Promise<string[]> =>
    listTargetFiles(
      set,
      options.format ? FORMAT_EXTENSIONS[options.format] : RECORD_FILE_EXTENSIONS,
    );

  async function* read(): AsyncGenerator<StoredRecord> {
    for (const file of await listFiles()) {
      const format = options.format ?? formatFromExtension(file) ?? 'jsonl';
      yield* readRecordFile(file, format, options.baseDir, target.input);
    }
  }

  const why =
    options.format === 'documents'
      ? 'text and markdown documents are read-only'
      : 'a store over a folder or glob is read-only';
  const reject = async (): Promise<never> => {
    throw readOnlyError(location, why);
  };

  return {
    specificationVersion: 'v1',
    kind: 'datastore',
    location,
    exists: async () => {
      try {
        return (await listFiles()).length > 0;
      } catch (error) {
        if (isDgtError(error)) return false;
        throw error;
      }
    },
    read,
    append: reject,
    write: reject,
    clear: reject,
    close: async () => undefined,
  };
}
