import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatastoreInitContext, DatastoreV1, StoredRecord } from '../contracts/v1/datastore.js';
import { createDatastoreLoader } from '../dataloader/datastore-loader.js';
import { isDgtError } from '../errors/dgt-error.js';
import { openDatastore } from './open-datastore.js';
import { createParquetDatastore } from './parquet-datastore.js';

let dir: string;
let ctx: DatastoreInitContext;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dgt-parquet-'));
  ctx = { outputDir: join(dir, 'output', 'task'), storeName: 'data', baseDir: dir };
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(store: DatastoreV1): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for await (const record of store.read()) out.push(record);
  return out;
}

async function readError(store: DatastoreV1): Promise<Error> {
  try {
    await collect(store);
  } catch (error) {
    expect(isDgtError(error) && error.code).toBe('DATA_FILE');
    return error as Error;
  }
  throw new Error('expected a read error');
}

async function rowGroups(path: string): Promise<number[]> {
  const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
  return metadata.row_groups.map((group) => Number(group.num_rows));
}

const ids = (n: number) => Array.from({ length: n }, (_, id) => ({ id, text: `record ${id}` }));

describe('parquet datastore', () => {
  it('round-trips mixed types, nulls, missing keys and nested values', async () => {
    const path = join(dir, 'sub', 'mixed.parquet');
    const records = [
      {
        id: 1,
        score: 0.5,
        count: 3,
        ok: true,
        text: 'héllo, "world"\nline two',
        tags: ['geo', 'easy'],
        meta: { source: 'seed', nested: { level: 2 } },
        either: 'text',
        big: 2 ** 60,
      },
      {
        id: 2,
        score: 1,
        count: -7,
        ok: false,
        text: '',
        tags: [],
        meta: null,
        either: 42,
        big: 1.5,
        extra: 'only here',
      },
      { id: 3, score: null, ok: null, text: null, tags: [{ k: 'v' }], either: { a: [1] } },
    ];
    const store = createParquetDatastore(path);
    await store.write(records);
    const back = await collect(store);
    // A key a record lacks is a null in that record's row.
    expect(back).toEqual([
      { ...records[0], extra: null },
      { ...records[1] },
      { ...records[2], count: null, meta: null, big: null, extra: null },
    ]);
    expect(typeof back[0]!.id).toBe('number'); // INT64 comes back as a number, not a bigint
    expect(JSON.parse(JSON.stringify(back))).toEqual(back);
    expect(await readdir(join(dir, 'sub'))).toEqual(['mixed.parquet']);
  });

  it('picks Parquet for .parquet paths of the default type and writes parquet outputs', async () => {
    const path = join(dir, 'input.parquet');
    await createParquetDatastore(path).write(ids(3));
    const input = await openDatastore({ type: 'default', data_path: 'input.parquet' }, ctx);
    expect(await collect(input)).toEqual(ids(3));

    const output = await openDatastore({ type: 'parquet', row_group_size: 2 }, ctx);
    expect(output.location).toBe(join(ctx.outputDir, 'data.parquet'));
    await output.write(ids(5));
    expect(await rowGroups(output.location)).toEqual([2, 2, 1]);
    const viaFormat = await openDatastore({ data_format: 'parquet' }, ctx);
    expect(viaFormat.location).toBe(join(ctx.outputDir, 'data.parquet'));
    expect(await collect(viaFormat)).toEqual(ids(5));
  });

  it('appends by rewriting the file atomically, and writes an empty store', async () => {
    const path = join(dir, 'out.parquet');
    const store = createParquetDatastore(path);
    expect(await collect(store)).toEqual([]);
    await store.append(ids(2));
    await store.append([{ id: 2, text: 'record 2', note: 'new column' }]);
    expect(await collect(createParquetDatastore(path))).toEqual([
      { ...ids(2)[0], note: null },
      { ...ids(2)[1], note: null },
      { id: 2, text: 'record 2', note: 'new column' },
    ]);
    expect(await readdir(dir)).toEqual(['out.parquet']);
    await store.write([]);
    expect(await collect(store)).toEqual([]);
    await store.clear();
    expect(await store.exists()).toBe(false);
  });

  it('reads a file of several row groups group by group, and a dataloader resumes by row', async () => {
    const path = join(dir, 'groups.parquet');
    await createParquetDatastore(path, { rowGroupSize: 10 }).write(ids(25));
    expect(await rowGroups(path)).toEqual([10, 10, 5]);
    const store = createParquetDatastore(path, { mustExist: true });
    expect(await collect(store)).toEqual(ids(25));

    const loader = createDatastoreLoader(store);
    const first: unknown[] = [];
    for (let i = 0; i < 12; i++) first.push(await loader.next());
    expect(first).toEqual(ids(12));
    const saved = loader.getState();
    expect(saved).toEqual({ position: 12, epoch: 0 });
    await loader.close();

    const resumed = createDatastoreLoader(createParquetDatastore(path));
    resumed.setState(saved);
    const rest: unknown[] = [];
    for (let record = await resumed.next(); record; record = await resumed.next()) {
      rest.push(record);
    }
    expect(rest).toEqual(ids(25).slice(12));
  });

  it('decodes a later row group only when the reader gets there', async () => {
    const path = join(dir, 'lazy.parquet');
    await createParquetDatastore(path, { rowGroupSize: 10 }).write(ids(30));
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
    const reader = createParquetDatastore(path).read()[Symbol.asyncIterator]();
    for (let i = 0; i < 10; i++) expect((await reader.next()).value).toEqual(ids(10)[i]);
    // Spoil the second group's bytes in place: the first group was already delivered.
    const column = metadata.row_groups[1]!.columns[0]!.meta_data!;
    const handle = await open(path, 'r+');
    await handle.write(Buffer.alloc(64, 0xff), 0, 64, Number(column.data_page_offset));
    await handle.close();
    const error = await reader.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDgtError(error) && error.message).toContain(`${path} (row group 1)`);
  });

  it('reads INT64 past 2^53 as strings, timestamps as ISO strings, NaN as null', async () => {
    const path = join(dir, 'external.parquet');
    const writer = new ByteWriter();
    parquetWrite({
      writer,
      columnData: [
        { name: 'n', data: [1n, 2n ** 60n, -(2n ** 60n)], type: 'INT64' },
        { name: 'f', data: [0.25, Number.NaN, 3], type: 'DOUBLE' },
        { name: 'at', data: [new Date(0), new Date(86_400_000), null], type: 'TIMESTAMP' },
      ],
    });
    await writeFile(path, writer.getBytes());
    const back = await collect(createParquetDatastore(path));
    expect(back.map((r) => [r.n, r.f, r.at])).toEqual([
      [1, 0.25, '1970-01-01T00:00:00.000Z'],
      ['1152921504606846976', null, '1970-01-02T00:00:00.000Z'],
      ['-1152921504606846976', 3, null],
    ]);
  });

  it('reads files compressed with codecs hyparquet lacks (gzip)', async () => {
    const path = join(dir, 'gzip.parquet');
    const writer = new ByteWriter();
    parquetWrite({
      writer,
      codec: 'GZIP',
      compressors: { GZIP: (input) => gzipSync(input) },
      columnData: [{ name: 'text', data: ['a', 'b', 'c'], type: 'STRING' }],
    });
    await writeFile(path, writer.getBytes());
    expect(await collect(createParquetDatastore(path))).toEqual([
      { text: 'a' },
      { text: 'b' },
      { text: 'c' },
    ]);
  });

  it('reads a folder of shards in path order', async () => {
    await mkdir(join(dir, 'data'));
    await createParquetDatastore(join(dir, 'data', 'train-00001.parquet')).write([{ id: 2 }]);
    await createParquetDatastore(join(dir, 'data', 'train-00000.parquet')).write([{ id: 1 }]);
    for (const config of [
      { type: 'default', data_path: 'data' },
      { type: 'parquet', data_path: 'data/*.parquet' },
    ]) {
      expect(await collect(await openDatastore(config, ctx))).toEqual([{ id: 1 }, { id: 2 }]);
    }
  });

  it('names a missing input file and what to do', async () => {
    const store = await openDatastore({ data_path: 'missing.parquet' }, ctx);
    const error = await readError(store);
    expect(error.message).toContain(`Data file not found: ${join(dir, 'missing.parquet')}`);
    expect(error.message).toContain('Check data_path');
  });

  it('names a corrupt, truncated or empty file and what to do', async () => {
    const valid = join(dir, 'valid.parquet');
    await createParquetDatastore(valid).write(ids(3));
    const bytes = await readFile(valid);
    const cases: Record<string, Buffer | string> = {
      'text.parquet': 'id,text\n1,not parquet\n',
      'truncated.parquet': bytes.subarray(0, bytes.length - 20),
      'empty.parquet': '',
    };
    for (const [name, content] of Object.entries(cases)) {
      const path = join(dir, name);
      await writeFile(path, content);
      const error = await readError(createParquetDatastore(path));
      expect(error.message).toMatch(new RegExp(`^${path}: not a readable Parquet file \\(`));
      expect(error.message).toContain('download or export it again');
    }
  });
});
