import type { StoredRecord } from './datastore.js';

/**
 * A resumable cursor over a datastore (contract v1). Its state is a small JSON value the runner
 * saves after every batch (`dataloader_state.jsonl`) and hands back on resume.
 */
export type DataloaderV1 = {
  readonly specificationVersion: 'v1';
  readonly kind: 'dataloader';
  /** The next record, or `undefined` when exhausted (never, for a looping loader with data). */
  next(): Promise<StoredRecord | undefined>;
  getState(): DataloaderState;
  setState(state: DataloaderState): void;
};

/** A dataloader's position: JSON, so it can be saved and restored. */
export type DataloaderState = { [key: string]: unknown };

/** Any dataloader version the runner understands. */
export type Dataloader = DataloaderV1;
