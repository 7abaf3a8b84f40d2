import type { DataloaderState, DataloaderV1 } from '../contracts/v1/dataloader.js';
import type { DatastoreV1, StoredRecord } from '../contracts/v1/datastore.js';
import { DgtError } from '../errors/dgt-error.js';

/** Options of {@link createDatastoreLoader}. */
export type DatastoreLoaderOptions = {
  /**
   * Cycle over the store forever (DiGiT's `loop_over`): after the last record comes the first
   * again and `epoch` grows. The records are cached in memory on first use, which suits seed
   * sets; without `loop` the loader streams and holds one record at a time.
   */
  loop?: boolean;
};

/**
 * Where a {@link createDatastoreLoader} cursor stands: `position` records of the current pass
 * have been handed out, and `epoch` passes were completed before it (always 0 without `loop`).
 */
export type DatastoreLoaderState = { position: number; epoch: number };

/** A datastore cursor; `close` releases the file a streaming loader holds open. */
export type DatastoreLoader = DataloaderV1 & {
  getState(): DatastoreLoaderState;
  /** Stops the current read early (a later `next()` reopens it where the cursor stands). */
  close(): Promise<void>;
};

/**
 * A resumable cursor over a datastore. `next()` returns the records in store order; its state
 * `{ position, epoch }` is JSON the runner saves after each batch, and `setState` puts a new or
 * restarted loader back exactly there, so a resumed run sees the same sequence.
 *
 * Without `loop`, the store is streamed and `setState` skips ahead by reading past `position`
 * records; `next()` returns `undefined` when the store is exhausted. With `loop`, the records are
 * cached on first use and cycled forever; `next()` returns `undefined` only for an empty store.
 *
 * @example
 * const loader = createDatastoreLoader(seedStore, { loop: true });
 * loader.setState(savedState); // on resume
 * const seed = await loader.next();
 * await saveState(loader.getState());
 */
export function createDatastoreLoader(
  datastore: DatastoreV1,
  options: DatastoreLoaderOptions = {},
): DatastoreLoader {
  const loop = options.loop ?? false;
  let position = 0;
  let epoch = 0;
  // Calls are served one at a time, in call order, so concurrent callers get distinct records.
  let queue: Promise<unknown> = Promise.resolve();

  // Looping: every record, loaded once.
  let cache: StoredRecord[] | undefined;
  // Streaming: the open read and how many records of the pass it has already consumed.
  let reader: AsyncIterator<StoredRecord> | undefined;
  let readerPosition = 0;

  const stopReader = async (): Promise<void> => {
    const current = reader;
    reader = undefined;
    readerPosition = 0;
    await current?.return?.();
  };

  const nextLooping = async (): Promise<StoredRecord | undefined> => {
    if (!cache) {
      cache = [];
      for await (const record of datastore.read()) cache.push(record);
    }
    if (cache.length === 0) return undefined;
    if (position >= cache.length) {
      // Restored from a longer store: wrap into the passes this store would have made.
      epoch += Math.floor(position / cache.length);
      position %= cache.length;
    }
    const record = cache[position];
    position++;
    if (position === cache.length) {
      position = 0;
      epoch++;
    }
    return record;
  };

  const nextStreaming = async (): Promise<StoredRecord | undefined> => {
    if (!reader) {
      reader = datastore.read()[Symbol.asyncIterator]();
      readerPosition = 0;
    }
    // After setState (or a fresh start at a saved position), read past what was handed out.
    while (readerPosition < position) {
      const skipped = await reader.next();
      if (skipped.done) {
        readerPosition = position;
        return undefined;
      }
      readerPosition++;
    }
    const result = await reader.next();
    if (result.done) return undefined;
    readerPosition++;
    position++;
    return result.value;
  };

  const enqueue = <T>(job: () => Promise<T>): Promise<T> => {
    const result = queue.then(job);
    queue = result.catch(() => undefined);
    return result;
  };
  // A restored state waiting for the calls queued before setState to finish.
  let pending: DatastoreLoaderState | undefined;

  return {
    specificationVersion: 'v1',
    kind: 'dataloader',
    next: () => enqueue(() => (loop ? nextLooping() : nextStreaming())),
    getState: () => ({ ...(pending ?? { position, epoch }) }),
    setState(state: DataloaderState) {
      const restored = parseState(state);
      const target = { position: restored.position, epoch: loop ? restored.epoch : 0 };
      pending = target;
      const apply = async (): Promise<void> => {
        ({ position, epoch } = target);
        if (pending === target) pending = undefined;
        // The open read stands elsewhere; the next call reopens it and skips ahead.
        await stopReader();
      };
      // Closing the abandoned read can only fail in the store; the next read reports that.
      enqueue(apply).catch(() => undefined);
    },
    close: () => enqueue(stopReader),
  };
}

function parseState(state: DataloaderState): DatastoreLoaderState {
  const { position, epoch = 0 } = state;
  const valid = (value: unknown): value is number =>
    Number.isSafeInteger(value) && (value as number) >= 0;
  if (!valid(position) || !valid(epoch)) {
    throw new DgtError(
      'DATA_FILE',
      `Invalid dataloader state ${JSON.stringify(state)}: expected { position, epoch } as ` +
        `non-negative integers. Delete the saved dataloader state, or rerun with --restart.`,
    );
  }
  return { position, epoch };
}
