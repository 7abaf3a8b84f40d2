export { builtinDatastores } from './builtin-datastores.js';
export { createCsvDatastore, csvDatastore } from './csv-datastore.js';
export { type DatastoreConfig, datastoreConfigSchema } from './datastore-config.js';
export { defaultDatastore } from './default-datastore.js';
export {
  createDocumentDatastore,
  type DocumentDatastoreOptions,
  markdownDatastore,
  textDatastore,
} from './document-datastore.js';
export type { DocumentRecord } from './document-reader.js';
export { createJsonDatastore, jsonDatastore } from './json-datastore.js';
export {
  createJsonlDatastore,
  type JsonlDatastore,
  type JsonlDatastoreOptions,
  jsonlDatastore,
} from './jsonl-datastore.js';
export { type JsonlTailRepair, repairJsonlTail } from './jsonl-tail-repair.js';
export { multiTargetConfigSchema, multiTargetDatastore } from './multi-target-datastore.js';
export { type DatastoreMapping, openDatastore } from './open-datastore.js';
export {
  createParquetDatastore,
  type ParquetDatastoreOptions,
  parquetDatastore,
} from './parquet-datastore.js';
export type { WholeFileDatastoreOptions } from './whole-file-datastore.js';
export { createYamlDatastore, yamlDatastore } from './yaml-datastore.js';
