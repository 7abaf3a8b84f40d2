import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatastoreV1, StoredRecord } from '../contracts/v1/datastore.js';
import { createJsonlDatastore } from '../datastore/jsonl-datastore.js';
import { isDgtError } from '../errors/dgt-error.js';
import { createDatastoreLoader } from './datastore-loader.js';

/** An in-memory store that counts reads and how many records each read pulled. */
function memoryStore(records: StoredRecord[]) {
  const stats = { reads: 0, pulled: 0, closed: 0 };
  const store: DatastoreV1 = {
    specificationVersion: 'v1',
    kind: 'datastore',
    location: 'memory',
    exists: async () => true,
    async *read() {
      stats.reads++;
      try {
        for (const record of records) {
          stats.pulled++;
          yield record;
        }
      } finally {
        stats.closed++;
      }
    },
    append: async () => undefined,
    write: async () => undefined,
    clear: async () => undefined,
    close: async () => undefined,
  };
  return { store, stats };
}

const ids = (n: number) => Array.from({ length: n }, (_, id) => ({ id }));

async function take(loader: { next(): Promise<StoredRecord | undefined> }, n: number) {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push((await loader.next())?.id);
  return out;
}

describe('createDatastoreLoader', () => {
  it('streams records in order and ends with undefined', async () => {
    const { store, stats } = memoryStore(ids(3));
    const loader = createDatastoreLoader(store);
    expect(await loader.next()).toEqual({ id: 0 });
    // Streaming: only what was asked for has been read.
    expect(stats.pulled).toBe(1);
    expect(await take(loader, 4)).toEqual([1, 2, undefined, undefined]);
    expect(loader.getState()).toEqual({ position: 3, epoch: 0 });
  });

  it('resumes a streaming pass where the saved state says, skipping ahead', async () => {
    const { store } = memoryStore(ids(6));
    const first = createDatastoreLoader(store);
    await take(first, 2);
    const saved = JSON.parse(JSON.stringify(first.getState()));
    const rest = await take(first, 4);

    const resumed = createDatastoreLoader(store);
    resumed.setState(saved);
    expect(resumed.getState()).toEqual({ position: 2, epoch: 0 });
    expect(await take(resumed, 4)).toEqual(rest);
    expect(await resumed.next()).toBeUndefined();
  });

  it('rewinds an open read on setState', async () => {
    const { store, stats } = memoryStore(ids(5));
    const loader = createDatastoreLoader(store);
    await take(loader, 4);
    loader.setState({ position: 1, epoch: 0 });
    expect(await take(loader, 2)).toEqual([1, 2]);
    expect(stats.reads).toBe(2);
    expect(stats.closed).toBe(1);
    await loader.close();
    expect(stats.closed).toBe(2);
  });

  it('loops forever with loop: true, counting epochs, reading the store once', async () => {
    const { store, stats } = memoryStore(ids(3));
    const loader = createDatastoreLoader(store, { loop: true });
    expect(await take(loader, 7)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(loader.getState()).toEqual({ position: 1, epoch: 2 });
    expect(stats.reads).toBe(1);
  });

  it('gives the same looping sequence after a save and restore', async () => {
    const { store } = memoryStore(ids(4));
    const original = createDatastoreLoader(store, { loop: true });
    await take(original, 6);
    const saved = original.getState();
    const expected = await take(original, 9);

    const resumed = createDatastoreLoader(store, { loop: true });
    resumed.setState(saved);
    expect(await take(resumed, 9)).toEqual(expected);
    expect(resumed.getState()).toEqual(original.getState());
  });

  it('wraps a saved position beyond a store that shrank', async () => {
    const { store } = memoryStore(ids(3));
    const loader = createDatastoreLoader(store, { loop: true });
    loader.setState({ position: 7, epoch: 1 });
    expect(await loader.next()).toEqual({ id: 1 });
    expect(loader.getState()).toEqual({ position: 2, epoch: 3 });
  });

  it('returns undefined for an empty store even when looping', async () => {
    const loader = createDatastoreLoader(memoryStore([]).store, { loop: true });
    expect(await loader.next()).toBeUndefined();
    expect(await loader.next()).toBeUndefined();
  });

  it('hands concurrent callers distinct records in call order', async () => {
    const loader = createDatastoreLoader(memoryStore(ids(5)).store);
    const records = await Promise.all([loader.next(), loader.next(), loader.next()]);
    expect(records.map((r) => r?.id)).toEqual([0, 1, 2]);
  });

  it('applies setState after the calls made before it', async () => {
    const loader = createDatastoreLoader(memoryStore(ids(5)).store);
    const before = loader.next();
    loader.setState({ position: 3, epoch: 0 });
    const after = loader.next();
    expect((await before)?.id).toBe(0);
    expect((await after)?.id).toBe(3);
  });

  it('rejects a malformed state with a DgtError', () => {
    const loader = createDatastoreLoader(memoryStore(ids(1)).store);
    for (const bad of [{ position: -1 }, { position: 1.5 }, { position: '2' }, {}]) {
      let caught: unknown;
      try {
        loader.setState(bad);
      } catch (error) {
        caught = error;
      }
      expect(isDgtError(caught)).toBe(true);
    }
  });
});

describe('createDatastoreLoader over a JSONL file', () => {
  it('resumes in a new process-like setup with the same sequence', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dgt-loader-'));
    try {
      const path = join(dir, 'seeds.jsonl');
      const writer = createJsonlDatastore(path);
      await writer.append(ids(5));
      await writer.close();

      const first = createDatastoreLoader(createJsonlDatastore(path), { loop: true });
      await take(first, 7);
      const saved = JSON.stringify(first.getState());
      const expected = await take(first, 6);

      const resumed = createDatastoreLoader(createJsonlDatastore(path), { loop: true });
      resumed.setState(JSON.parse(saved));
      expect(await take(resumed, 6)).toEqual(expected);

      const streaming = createDatastoreLoader(createJsonlDatastore(path));
      streaming.setState({ position: 3, epoch: 0 });
      expect(await take(streaming, 3)).toEqual([3, 4, undefined]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
