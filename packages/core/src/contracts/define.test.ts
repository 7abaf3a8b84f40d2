import { describe, expect, it } from 'vitest';
import { openDatastore } from '../datastore/open-datastore.js';
import { defineDatastore, defineFormatter } from './define.js';
import { isDatastore } from './guards.js';
import type { StoredRecord } from './v1/datastore.js';
import type { StandardSchemaV1 } from './v1/standard-schema.js';

/** A schema that accepts any mapping, written against Standard Schema alone. */
const anyMapping: StandardSchemaV1<unknown, Record<string, unknown>> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate: (value) => ({ value: value as Record<string, unknown> }),
  },
};

/** An in-memory store written as its behaviour only: no specificationVersion, no kind. */
class MemoryStore {
  readonly location = 'memory:';
  readonly records: StoredRecord[] = [];
  async exists() {
    return this.records.length > 0;
  }
  async *read() {
    yield* this.records;
  }
  async append(records: readonly StoredRecord[]) {
    this.records.push(...records);
  }
  async write(records: Iterable<StoredRecord> | AsyncIterable<StoredRecord>) {
    this.records.length = 0;
    for await (const record of records) this.records.push(record);
  }
  async clear() {
    this.records.length = 0;
  }
  async close() {}
}

describe('define helpers brand what plugin authors write as behaviour only', () => {
  it('a datastore from defineDatastore is a v1 datastore, and keeps its class methods', async () => {
    const memory = defineDatastore({ configSchema: anyMapping, create: () => new MemoryStore() });
    const ctx = { outputDir: '/tmp', storeName: 'data', baseDir: '/tmp' };
    const store = await openDatastore({ type: 'memory' }, ctx, { memory });
    expect(isDatastore(store)).toBe(true);
    await store.append([{ a: 1 }]);
    const read: StoredRecord[] = [];
    for await (const record of store.read()) read.push(record);
    expect(read).toEqual([{ a: 1 }]);
  });

  it('a store that already carries the brand is left as it is', async () => {
    const branded = Object.assign(new MemoryStore(), {
      specificationVersion: 'v1' as const,
      kind: 'datastore' as const,
    });
    const legacy = defineDatastore({ configSchema: anyMapping, create: () => branded });
    const store = await legacy.create({}, { outputDir: '/tmp', storeName: 'd', baseDir: '/tmp' });
    expect(store).toBe(branded);
  });

  it('a formatter from defineFormatter is a v1 formatter', () => {
    const upper = defineFormatter({
      configSchema: anyMapping,
      create: () => ({
        apply: (record: StoredRecord) => ({ text: String(record.text).toUpperCase() }),
      }),
    });
    const formatter = upper.create({});
    expect(formatter).toMatchObject({ specificationVersion: 'v1', kind: 'formatter' });
    expect(formatter.apply({ text: 'a' })).toEqual({ text: 'A' });
  });
});
