import { defineDatastore } from '../contracts/define.js';
import type { DatastoreV1 } from '../contracts/v1/datastore.js';
import { resolveStoreTarget } from './data-path.js';
import { datastoreConfigSchema } from './datastore-config.js';
import { createFileSetDatastore } from './file-set-datastore.js';
import { jsonCodec } from './json-codec.js';
import {
  createWholeFileDatastore,
  type WholeFileDatastoreOptions,
} from './whole-file-datastore.js';

/**
 * A JSON file holding an array of records (`[{...}, {...}]`). Reads parse the whole file; `append` and `write`
 * rewrite it atomically.
 */
export function createJsonDatastore(
  path: string,
  options: WholeFileDatastoreOptions = {},
): DatastoreV1 {
  return createWholeFileDatastore(path, jsonCodec, options);
}

/**
 * The `json` datastore type. With a folder or glob `data_path` it reads every matching
 * `.json` file in path order (read-only).
 */
export const jsonDatastore = defineDatastore({
  description: 'A JSON file holding an array of records.',
  configSchema: datastoreConfigSchema,
  async create(config, ctx) {
    const target = await resolveStoreTarget(config, ctx, '.json');
    if (target.kind !== 'file') {
      return createFileSetDatastore(target, { format: 'json', baseDir: ctx.baseDir });
    }
    return createJsonDatastore(target.path, { mustExist: target.explicit });
  },
});
