import { glob } from 'tinyglobby';
import { defineDatastore } from '../contracts/define.js';
import type { DatastoreInitContext, DatastoreV1 } from '../contracts/v1/datastore.js';
import { DgtError } from '../errors/dgt-error.js';
import { createCsvDatastore } from './csv-datastore.js';
import {
  type DataFormat,
  FORMAT_EXTENSIONS,
  formatFromExtension,
  parseDataFormat,
} from './data-format.js';
import { resolveStoreTarget, type StoreTarget } from './data-path.js';
import { type DatastoreConfig, datastoreConfigSchema } from './datastore-config.js';
import { createFileSetDatastore } from './file-set-datastore.js';
import { createJsonDatastore } from './json-datastore.js';
import { createJsonlDatastore } from './jsonl-datastore.js';
import { createParquetDatastore } from './parquet-datastore.js';
import { createYamlDatastore } from './yaml-datastore.js';

/**
 * The `default` datastore type, as in DiGiT task files (`type: default, data_path: x.jsonl`). The
 * format is, in order: `data_format` when set; for a file `data_path`, its extension (`.jsonl`,
 * `.json`, `.yaml`/`.yml`, `.csv`, `.parquet`, `.md`/`.markdown`/`.txt`; others are JSON Lines);
 * for a folder, documents if it holds any `.md`/`.markdown`/`.txt` file, else its record files
 * concatenated; for a glob, each matched file by its extension; without `data_path`, JSON Lines
 * at `<output_dir>/<store_name>.jsonl`.
 */
export const defaultDatastore = defineDatastore({
  description:
    'Picks the format from data_format or the data_path extension (JSON Lines if neither).',
  configSchema: datastoreConfigSchema,
  create: (config, ctx) => createDefaultDatastore(config, ctx),
});

async function createDefaultDatastore(
  config: DatastoreConfig,
  ctx: DatastoreInitContext,
): Promise<DatastoreV1> {
  const explicit = config.data_format ? parseDataFormat(config.data_format) : undefined;
  if (explicit === 'documents' && config.data_path === undefined) {
    throw new DgtError(
      'INVALID_TASK',
      `data_format '${config.data_format}' reads documents and needs a data_path: a file, a ` +
        `folder or a glob such as docs/**/*.md.`,
    );
  }
  const extension = FORMAT_EXTENSIONS[explicit ?? 'jsonl'][0] ?? '.jsonl';
  const target = await resolveStoreTarget(config, ctx, extension);
  if (target.kind === 'file') {
    const format =
      explicit ?? (config.data_path ? formatFromExtension(target.path) : undefined) ?? 'jsonl';
    return createFileDatastore(format, target, ctx.baseDir);
  }
  let format = explicit;
  if (!format && target.kind === 'folder' && (await holdsDocuments(target.path))) {
    format = 'documents';
  }
  return createFileSetDatastore(target, { format, baseDir: ctx.baseDir });
}

function createFileDatastore(
  format: DataFormat,
  target: Extract<StoreTarget, { kind: 'file' }>,
  baseDir: string,
): DatastoreV1 {
  const options = { mustExist: target.explicit };
  switch (format) {
    case 'jsonl':
      return createJsonlDatastore(target.path, {
        ...options,
        ...(target.input ? { read: target.input } : {}),
      });
    case 'json':
      return createJsonDatastore(target.path, options);
    case 'yaml':
      return createYamlDatastore(target.path, options);
    case 'csv':
      return createCsvDatastore(target.path, options);
    case 'parquet':
      return createParquetDatastore(target.path, options);
    case 'documents':
      return createFileSetDatastore(target, { format, baseDir });
  }
}

async function holdsDocuments(folder: string): Promise<boolean> {
  const patterns = FORMAT_EXTENSIONS.documents.map((ext) => `**/*${ext}`);
  const found = await glob(patterns, { cwd: folder, onlyFiles: true, caseSensitiveMatch: false });
  return found.length > 0;
}
