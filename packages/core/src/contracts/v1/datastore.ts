import type { StandardSchemaV1 } from './standard-schema.js';

/** A stored record: any JSON object. */
export type StoredRecord = Record<string, unknown>;

/**
 * Where records are read from and appended to (contract v1). Appends are durable when the
 * promise resolves: a crash after that loses nothing that was appended.
 */
export type DatastoreV1 = {
  readonly specificationVersion: 'v1';
  readonly kind: 'datastore';
  /** Where the data lives, for messages (a file path, a URL). */
  readonly location: string;
  exists(): Promise<boolean>;
  /** Streams the records in order, without holding them all in memory. */
  read(): AsyncIterable<StoredRecord>;
  /** Appends records and flushes them to durable storage before resolving. */
  append(records: readonly StoredRecord[]): Promise<void>;
  /** Replaces the whole content; readers never see a half-written store. */
  write(records: Iterable<StoredRecord> | AsyncIterable<StoredRecord>): Promise<void>;
  /** Removes the content. */
  clear(): Promise<void>;
  close(): Promise<void>;
};

/**
 * A datastore as its author writes it for {@link defineDatastore}: the behaviour only; core adds
 * `specificationVersion` and `kind`.
 */
export type DatastoreImplementationV1 = Omit<DatastoreV1, 'specificationVersion' | 'kind'>;

/** What a datastore factory gets besides its config. */
export type DatastoreInitContext = {
  /** The task's output folder, used when the config names no `data_path`. */
  outputDir: string;
  /** The store's base name inside `outputDir` (`data`, `final_data`, `blocks/dedup`). */
  storeName: string;
  /** Base folder that relative `data_path`s resolve against (the task file's folder). */
  baseDir: string;
  /** The run's stop signal: reads of input data end when it fires (e.g. on SIGTERM). */
  signal?: AbortSignal;
  /**
   * Reports something the user should know about their data that does not stop the read (a
   * torn last line skipped by `torn_last_line: skip`), naming file and line: the runner shows
   * it as a warning of the run. Optional: absent, the datastore stays silent.
   */
  warn?(message: string): void;
};

/**
 * A datastore type as a plugin exports it (contract v1). The config is the task file's datastore
 * mapping (`type`, `data_path`, …) validated by `configSchema`.
 */
export type DatastoreDefinitionV1<Schema extends StandardSchemaV1 = StandardSchemaV1> = {
  readonly specificationVersion: 'v1';
  readonly kind: 'datastore-definition';
  readonly description?: string;
  readonly configSchema: Schema;
  create(
    config: StandardSchemaV1.InferOutput<Schema>,
    ctx: DatastoreInitContext,
  ): DatastoreV1 | Promise<DatastoreV1>;
};

/** Any datastore instance version the runner understands. */
export type Datastore = DatastoreV1;
/** Any datastore definition version the runner understands. */
export type DatastoreDefinition = DatastoreDefinitionV1<any>;
