import type { DatastoreDefinition } from '../contracts/v1/datastore.js';
import { csvDatastore } from './csv-datastore.js';
import { defaultDatastore } from './default-datastore.js';
import { markdownDatastore, textDatastore } from './document-datastore.js';
import { jsonDatastore } from './json-datastore.js';
import { jsonlDatastore } from './jsonl-datastore.js';
import { multiTargetDatastore } from './multi-target-datastore.js';
import { parquetDatastore } from './parquet-datastore.js';
import { yamlDatastore } from './yaml-datastore.js';

/**
 * The datastore types core ships, by type id: `default`, `jsonl`, `json`, `yaml`, `csv`,
 * `parquet`, `text`, `markdown` and `multi_target` (several of them at once). A fresh object each call, so callers may add plugin types.
 */
export function builtinDatastores(): Record<string, DatastoreDefinition> {
  return {
    default: defaultDatastore,
    jsonl: jsonlDatastore,
    json: jsonDatastore,
    yaml: yamlDatastore,
    csv: csvDatastore,
    parquet: parquetDatastore,
    text: textDatastore,
    markdown: markdownDatastore,
    multi_target: multiTargetDatastore,
  };
}
