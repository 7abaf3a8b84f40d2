import { defineDatastore } from '../contracts/define.js';
import type { DatastoreV1 } from '../contracts/v1/datastore.js';
import { resolveStoreTarget } from './data-path.js';
import { datastoreConfigSchema } from './datastore-config.js';
import { createFileSetDatastore } from './file-set-datastore.js';
import {
  createWholeFileDatastore,
  type WholeFileDatastoreOptions,
} from './whole-file-datastore.js';
import { yamlCodec } from './yaml-codec.js';

/**
 * A YAML file holding a list of records (`- key: value`). Reads parse the whole file; `append` and `write`
 * rewrite it atomically.
 */
export function createYamlDatastore(
  path: string,
  options: WholeFileDatastoreOptions = {},
): DatastoreV1 {
  return createWholeFileDatastore(path, yamlCodec, options);
}

/**
 * The `yaml` datastore type. With a folder or glob `data_path` it reads every matching
 * `.yaml`/`.yml` file in path order (read-only).
 */
export const yamlDatastore = defineDatastore({
  description: 'A YAML file holding a list of records.',
  configSchema: datastoreConfigSchema,
  async create(config, ctx) {
    const target = await resolveStoreTarget(config, ctx, '.yaml');
    if (target.kind !== 'file') {
      return createFileSetDatastore(target, { format: 'yaml', baseDir: ctx.baseDir });
    }
    return createYamlDatastore(target.path, { mustExist: target.explicit });
  },
});
