import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatastoreInitContext, DatastoreV1, StoredRecord } from '../contracts/v1/datastore.js';
import { isDgtError } from '../errors/dgt-error.js';
import { builtinDatastores } from './builtin-datastores.js';
import { createDocumentDatastore } from './document-datastore.js';
import { openDatastore } from './open-datastore.js';

let dir: string;
let ctx: DatastoreInitContext;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dgt-open-'));
  ctx = {
    outputDir: join(dir, 'output', 'my_task'),
    storeName: 'data',
    baseDir: join(dir, 'task'),
  };
  await mkdir(ctx.baseDir, { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(store: DatastoreV1): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for await (const record of store.read()) out.push(record);
  return out;
}

async function dgtErrorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isDgtError(error)) return error;
    throw error;
  }
  throw new Error('expected a DgtError');
}

async function put(relativePath: string, content: string): Promise<string> {
  const path = join(ctx.baseDir, relativePath);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
  return path;
}

describe('openDatastore', () => {
  it('defaults to JSON Lines at <outputDir>/<storeName>.jsonl', async () => {
    const store = await openDatastore({}, ctx);
    expect(store.location).toBe(join(ctx.outputDir, 'data.jsonl'));
    await store.append([{ a: 1 }]);
    await store.close();
    expect(await readFile(join(ctx.outputDir, 'data.jsonl'), 'utf8')).toBe('{"a":1}\n');
  });

  it('creates nested folders for store names with slashes', async () => {
    const store = await openDatastore({ type: 'jsonl' }, { ...ctx, storeName: 'blocks/dedup' });
    await store.append([{ reason: 'duplicate' }]);
    await store.close();
    expect(await readFile(join(ctx.outputDir, 'blocks', 'dedup.jsonl'), 'utf8')).toContain(
      'duplicate',
    );
  });

  it('honours output_dir and store_name, with the format extension', async () => {
    const store = await openDatastore(
      { type: 'default', data_format: 'yaml', output_dir: 'elsewhere', store_name: 'results' },
      ctx,
    );
    expect(store.location).toBe(join(ctx.baseDir, 'elsewhere', 'results.yaml'));
  });

  it('resolves a relative data_path against baseDir and picks the format by extension', async () => {
    await put('seeds.yaml', '- q: one\n- q: two\n');
    await put('seeds.json', '[{"q": "one"}]');
    await put('seeds.csv', 'q,a\none,1\n');
    await put('seeds.jsonl', '{"q":"one"}\n');
    await put('seeds.data', '{"q":"jsonl fallback"}\n');
    expect(
      await collect(await openDatastore({ type: 'default', data_path: 'seeds.yaml' }, ctx)),
    ).toEqual([{ q: 'one' }, { q: 'two' }]);
    expect(await collect(await openDatastore({ data_path: 'seeds.json' }, ctx))).toEqual([
      { q: 'one' },
    ]);
    expect(await collect(await openDatastore({ data_path: 'seeds.csv' }, ctx))).toEqual([
      { q: 'one', a: '1' },
    ]);
    expect(await collect(await openDatastore({ data_path: 'seeds.jsonl' }, ctx))).toEqual([
      { q: 'one' },
    ]);
    expect(await collect(await openDatastore({ data_path: 'seeds.data' }, ctx))).toEqual([
      { q: 'jsonl fallback' },
    ]);
  });

  it('lets data_format override the extension', async () => {
    await put('seeds.txt', '[{"q": "json inside"}]');
    const store = await openDatastore({ data_path: 'seeds.txt', data_format: 'json' }, ctx);
    expect(await collect(store)).toEqual([{ q: 'json inside' }]);
  });

  it('concatenates the record files of a folder in path order, read-only', async () => {
    await put('data/b.jsonl', '{"n":3}\n');
    await put('data/a.jsonl', '{"n":1}\n{"n":2}\n');
    await put('data/nested/c.yaml', '- n: 4\n');
    await put('data/notes.bin', 'ignored');
    const store = await openDatastore({ data_path: 'data' }, ctx);
    expect((await collect(store)).map((r) => r.n)).toEqual([1, 2, 3, 4]);
    const error = await dgtErrorOf(store.append([{ n: 5 }]));
    expect(error.message).toContain('read-only');
  });

  it('reads a folder of markdown and text files as documents', async () => {
    await put('docs/intro.md', '# Intro\n');
    await put('docs/more/notes.txt', 'plain');
    await put('docs/data.jsonl', '{"ignored":true}\n');
    const records = await collect(await openDatastore({ data_path: 'docs/' }, ctx));
    expect(records).toEqual([
      { path: 'docs/intro.md', name: 'intro', text: '# Intro\n' },
      { path: 'docs/more/notes.txt', name: 'notes', text: 'plain' },
    ]);
  });

  it('reads each file a glob matches by its extension', async () => {
    await put('in/x.jsonl', '{"n":1}\n');
    await put('in/y.json', '[{"n":2}]');
    await put('in/z.csv', 'n\n3\n');
    const store = await openDatastore({ data_path: 'in/*.{jsonl,json}' }, ctx);
    expect(await collect(store)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await store.exists()).toBe(true);
  });

  it('names a missing input file and what to do', async () => {
    const store = await openDatastore({ data_path: 'missing.jsonl' }, ctx);
    expect(await store.exists()).toBe(false);
    const error = await dgtErrorOf(collect(store));
    expect(error.code).toBe('DATA_FILE');
    expect(error.message).toContain(join(ctx.baseDir, 'missing.jsonl'));
    expect(error.message).toContain('Check data_path');
  });

  it('names a glob that matches nothing', async () => {
    const store = await openDatastore({ data_path: 'nothing/*.jsonl' }, ctx);
    const error = await dgtErrorOf(collect(store));
    expect(error.message).toContain("No files match data_path 'nothing/*.jsonl'");
  });

  it('lists the known types for an unknown one', async () => {
    const error = await dgtErrorOf(openDatastore({ type: 'avro' }, ctx));
    expect(error.code).toBe('UNKNOWN_DATASTORE_TYPE');
    expect(error.message).toContain(
      'csv, default, json, jsonl, markdown, multi_target, parquet, text, yaml',
    );
  });

  it('names the bad key of an invalid config and keeps unknown keys', async () => {
    const error = await dgtErrorOf(openDatastore({ type: 'jsonl', data_path: 42 }, ctx));
    expect(error.code).toBe('INVALID_TASK');
    expect(error.message).toContain('data_path:');
    await expect(openDatastore({ type: 'jsonl', custom: true }, ctx)).resolves.toBeDefined();
  });

  it('rejects an unknown data_format, listing the known ones', async () => {
    const error = await dgtErrorOf(openDatastore({ data_format: 'xml' }, ctx));
    expect(error.message).toContain("Unknown data_format 'xml'");
  });

  it('accepts plugin definitions beside the built-in ones', async () => {
    const definitions = builtinDatastores();
    expect(Object.keys(definitions).sort()).toEqual([
      'csv',
      'default',
      'json',
      'jsonl',
      'markdown',
      'multi_target',
      'parquet',
      'text',
      'yaml',
    ]);
    const bogus = { ...definitions.jsonl!, create: () => ({}) as DatastoreV1 };
    const error = await dgtErrorOf(openDatastore({ type: 'bogus' }, ctx, { bogus }));
    expect(error.code).toBe('INVALID_PLUGIN');
  });
});

describe('document datastores', () => {
  it('read a single file, a glob, and refuse writes', async () => {
    await put('kb/a.md', 'alpha');
    await put('kb/b.md', 'beta');
    await put('kb/c.txt', 'gamma');
    const single = createDocumentDatastore('kb/a.md', { baseDir: ctx.baseDir });
    expect(await collect(single)).toEqual([{ path: 'kb/a.md', name: 'a', text: 'alpha' }]);
    const glob = await openDatastore({ type: 'markdown', data_path: 'kb/*.md' }, ctx);
    expect((await collect(glob)).map((r) => r.text)).toEqual(['alpha', 'beta']);
    const folder = await openDatastore({ type: 'text', data_path: 'kb' }, ctx);
    expect((await collect(folder)).map((r) => r.name)).toEqual(['a', 'b', 'c']);
    for (const attempt of [folder.append([{}]), folder.write([]), folder.clear()]) {
      const error = await dgtErrorOf(attempt);
      expect(error.message).toContain('documents are read-only');
    }
  });

  it('need a data_path', async () => {
    const error = await dgtErrorOf(openDatastore({ type: 'text' }, ctx));
    expect(error.message).toContain('needs a data_path');
  });
});
