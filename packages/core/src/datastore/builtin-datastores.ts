import type { DatastoreDefinition } from '../contracts/v1/datastore.js';
import { csvDatastore } from './csv-datastore.js';
import { defaultDatastore } from './default-datastore.js';
import { markdownDatastore, textDatastore } from './document-datastore.js';
import { jsonDatastore } from './json-datastore.js';
import { jsonlDatastore } from './jsonl-datastore.js';
import { yamlDatastore } from './yaml-datastore.js';

/**
 * The datastore types core ships, by type id: `default`, `jsonl`, `json`, `yaml`, `csv`, `text`
 * and `markdown`. A fresh object each call, so callers may add plugin types to it.
 */
export function builtinDatastores(): Record<string, DatastoreDefinition> {
  return {
    default: defaultDatastore,
    jsonl: jsonlDatastore,
    json: jsonDatastore,
    yaml: yamlDatastore,
    csv: csvDatastore,
    text: textDatastore,
    markdown: markdownDatastore,
  };
}
