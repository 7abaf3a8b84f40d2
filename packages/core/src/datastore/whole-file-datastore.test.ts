import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatastoreV1, StoredRecord } from '../contracts/v1/datastore.js';
import { isDgtError } from '../errors/dgt-error.js';
import { createCsvDatastore } from './csv-datastore.js';
import { createJsonDatastore } from './json-datastore.js';
import { createYamlDatastore } from './yaml-datastore.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dgt-files-'));
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

const records = [
  { question: 'Capital of France?', answer: 'Paris', tags: ['geo'] },
  { question: 'Two plus two?', answer: '4', tags: [] },
];

describe.each([
  ['json', createJsonDatastore],
  ['yaml', createYamlDatastore],
])('%s datastore', (ext, create) => {
  it('writes, reads back and appends', async () => {
    const store = create(join(dir, 'sub', `data.${ext}`));
    expect(await collect(store)).toEqual([]);
    await store.write(records);
    expect(await collect(store)).toEqual(records);
    await store.append([{ question: 'q3', answer: 'a3' }]);
    expect(await collect(create(join(dir, 'sub', `data.${ext}`)))).toEqual([
      ...records,
      { question: 'q3', answer: 'a3' },
    ]);
    expect(await readdir(join(dir, 'sub'))).toEqual([`data.${ext}`]);
  });

  it('reads an empty file as no records and writes an empty list', async () => {
    const path = join(dir, `empty.${ext}`);
    await writeFile(path, '');
    const store = create(path);
    expect(await collect(store)).toEqual([]);
    await store.write([]);
    expect(await collect(store)).toEqual([]);
    await store.clear();
    expect(await store.exists()).toBe(false);
  });
});

describe('json datastore', () => {
  it('names file, line and column of a syntax error', async () => {
    const path = join(dir, 'seeds.json');
    await writeFile(path, '[\n  {"a": 1},\n  {"a": }\n]\n');
    const error = await readError(createJsonDatastore(path));
    expect(error.message).toContain(`${path}:3:9: not valid JSON`);
  });

  it('explains that the file must hold an array of objects', async () => {
    const path = join(dir, 'seeds.json');
    await writeFile(path, '{"a": 1}');
    expect((await readError(createJsonDatastore(path))).message).toContain(
      'expected a JSON array of objects, got an object',
    );
    await writeFile(path, '[{"a": 1}, 3]');
    expect((await readError(createJsonDatastore(path))).message).toContain('item 1');
  });
});

describe('yaml datastore', () => {
  it('names file and line of a syntax error', async () => {
    const path = join(dir, 'seeds.yaml');
    await writeFile(path, '- a: 1\n- b: [1, 2\n- c: 3\n');
    const error = await readError(createYamlDatastore(path));
    expect(error.message).toMatch(new RegExp(`^${path}:\\d+:\\d+: not valid YAML`));
  });

  it('names the line of a list item that is not a mapping', async () => {
    const path = join(dir, 'seeds.yaml');
    await writeFile(path, '- a: 1\n- just text\n');
    const error = await readError(createYamlDatastore(path));
    expect(error.message).toContain(`${path}:2: list item 1 is a string, not a mapping`);
  });
});

describe('csv datastore', () => {
  it('round-trips records, with values as strings and nested values as JSON', async () => {
    const path = join(dir, 'data.csv');
    const store = createCsvDatastore(path);
    await store.write([
      { id: 1, text: 'has, comma and "quotes"', ok: true },
      { id: 2, text: 'multi\nline', extra: { k: 'v' } },
    ]);
    expect(await readFile(path, 'utf8')).toMatch(/^id,text,ok,extra\n/);
    await store.append([{ id: 3, text: null }]);
    expect(await collect(store)).toEqual([
      { id: '1', text: 'has, comma and "quotes"', ok: 'true', extra: '' },
      { id: '2', text: 'multi\nline', ok: '', extra: '{"k":"v"}' },
      { id: '3', text: '', ok: '', extra: '' },
    ]);
  });

  it('names file and line of a malformed row', async () => {
    const path = join(dir, 'data.csv');
    await writeFile(path, 'a,b\n1,2\n3,4,5\n');
    const error = await readError(createCsvDatastore(path));
    expect(error.message).toContain(`${path}:3: not valid CSV`);
  });
});
