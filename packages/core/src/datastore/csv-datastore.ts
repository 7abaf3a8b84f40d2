import { defineDatastore } from '../contracts/define.js';
import type { DatastoreV1 } from '../contracts/v1/datastore.js';
import { csvCodec } from './csv-codec.js';
import { resolveStoreTarget } from './data-path.js';
import { datastoreConfigSchema } from './datastore-config.js';
import { createFileSetDatastore } from './file-set-datastore.js';
import {
  createWholeFileDatastore,
  type WholeFileDatastoreOptions,
} from './whole-file-datastore.js';

/**
 * A CSV file with a header row; every value reads back as a string. Reads stream the rows;
 * `append` and `write` rewrite the file atomically, with the union of the records' keys as header.
 */
export function createCsvDatastore(
  path: string,
  options: WholeFileDatastoreOptions = {},
): DatastoreV1 {
  return createWholeFileDatastore(path, csvCodec, options);
}

/**
 * The `csv` datastore type. With a folder or glob `data_path` it reads every matching
 * `.csv` file in path order (read-only).
 */
export const csvDatastore = defineDatastore({
  description: 'A CSV file with a header row; values read back as strings.',
  configSchema: datastoreConfigSchema,
  async create(config, ctx) {
    const target = await resolveStoreTarget(config, ctx, '.csv');
    if (target.kind !== 'file') {
      return createFileSetDatastore(target, { format: 'csv', baseDir: ctx.baseDir });
    }
    return createCsvDatastore(target.path, { mustExist: target.explicit });
  },
});
