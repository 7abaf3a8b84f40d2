import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredRecord } from '../contracts/v1/datastore.js';
import { isDgtError } from '../errors/dgt-error.js';
import { createJsonlDatastore } from './jsonl-datastore.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dgt-jsonl-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(records: AsyncIterable<StoredRecord>): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('jsonl datastore', () => {
  it('keeps appended records across a reopen', async () => {
    const path = join(dir, 'nested', 'data.jsonl');
    const store = createJsonlDatastore(path);
    await store.append([{ id: 1 }, { id: 2, text: 'line\nbreak' }]);
    await store.append([{ id: 3 }]);
    // Not closed: the records must already be on disk for another reader.
    expect(await collect(createJsonlDatastore(path).read())).toEqual([
      { id: 1 },
      { id: 2, text: 'line\nbreak' },
      { id: 3 },
    ]);
    await store.close();
    const reopened = createJsonlDatastore(path);
    await reopened.append([{ id: 4 }]);
    expect((await collect(reopened.read())).map((r) => r.id)).toEqual([1, 2, 3, 4]);
    await reopened.close();
  });

  it('writes one line per record and never interleaves concurrent appends', async () => {
    const path = join(dir, 'data.jsonl');
    const store = createJsonlDatastore(path);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => store.append([{ i, pad: 'x'.repeat(i * 50) }])),
    );
    await store.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line).i)).toEqual(
      Array.from({ length: 40 }, (_, i) => i),
    );
  });

  it('skips a torn last line when reading', async () => {
    const path = join(dir, 'data.jsonl');
    await writeFile(path, '{"a":1}\n{"a":2}\n{"a":3, "b": "unfini');
    expect(await collect(createJsonlDatastore(path).read())).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it("warns with file and line when skipping a torn last line of a user's input", async () => {
    const path = join(dir, 'data.jsonl');
    await writeFile(path, '{"a":1}\n{"a":2}\n{"a":3, "b": "unfini');
    const warnings: string[] = [];
    const read = {
      userInput: true,
      tornLastLine: 'skip' as const,
      warn: (m: string) => warnings.push(m),
    };
    const records = await collect(createJsonlDatastore(path, { read }).read());
    expect(records).toEqual([{ a: 1 }, { a: 2 }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^${path}:3: skipped the incomplete last line`));
    // A whole file says nothing.
    await writeFile(path, '{"a":1}\n{"a":2}');
    await collect(createJsonlDatastore(path, { read }).read());
    expect(warnings).toHaveLength(1);
  });

  it('truncates a torn last line before appending, so the next record starts clean', async () => {
    const path = join(dir, 'data.jsonl');
    await writeFile(path, '{"a":1}\n{"a":2, "b": "unfini');
    const store = createJsonlDatastore(path);
    await store.append([{ a: 3 }]);
    await store.close();
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n{"a":3}\n');
  });

  it('terminates a complete last record that lacks its newline instead of dropping it', async () => {
    const path = join(dir, 'data.jsonl');
    await writeFile(path, '{"a":1}\n{"a":2}');
    const store = createJsonlDatastore(path);
    expect(await collect(store.read())).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await store.repair()).toBe('terminated');
    await store.append([{ a: 3 }]);
    await store.close();
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n{"a":2}\n{"a":3}\n');
  });

  it('repairs a file that is one torn line', async () => {
    const path = join(dir, 'data.jsonl');
    await writeFile(path, '{"a":');
    const store = createJsonlDatastore(path);
    expect(await store.repair()).toBe('truncated');
    expect(await readFile(path, 'utf8')).toBe('');
    expect(await store.repair()).toBe('clean');
  });

  it('names file:line for a malformed line in the middle', async () => {
    const path = join(dir, 'data.jsonl');
    await writeFile(path, '{"a":1}\n\n{"a":2\n{"a":3}\n');
    const error = await errorOf(collect(createJsonlDatastore(path).read()));
    expect(isDgtError(error) && error.code).toBe('DATA_FILE');
    expect(error.message).toContain(`${path}:3:`);
  });

  it('treats an invalid last line that ends with a newline as an error, not a torn write', async () => {
    const path = join(dir, 'data.jsonl');
    await writeFile(path, '{"a":1}\n{"a":\n');
    const error = await errorOf(collect(createJsonlDatastore(path).read()));
    expect(error.message).toContain(`${path}:2:`);
  });

  it('rejects lines that are JSON but not objects', async () => {
    const path = join(dir, 'data.jsonl');
    await writeFile(path, '{"a":1}\n[1,2]\n');
    const error = await errorOf(collect(createJsonlDatastore(path).read()));
    expect(error.message).toContain(`${path}:2: expected one JSON object per line, got an array`);
  });

  it('replaces content atomically, even when fed from its own read', async () => {
    const path = join(dir, 'data.jsonl');
    const store = createJsonlDatastore(path);
    await store.append([{ n: 1 }, { n: 2 }, { n: 3 }]);
    async function* evens() {
      for await (const record of store.read()) if ((record.n as number) % 2 === 1) yield record;
    }
    await store.write(evens());
    expect(await collect(store.read())).toEqual([{ n: 1 }, { n: 3 }]);
    // The append handle was reopened on the new file, not the replaced one.
    await store.append([{ n: 5 }]);
    await store.close();
    expect(await readFile(path, 'utf8')).toBe('{"n":1}\n{"n":3}\n{"n":5}\n');
    expect(await readdir(dir)).toEqual(['data.jsonl']);
  });

  it('leaves the old content when a write fails midway', async () => {
    const path = join(dir, 'data.jsonl');
    const store = createJsonlDatastore(path);
    await store.append([{ n: 1 }]);
    async function* failing() {
      yield { n: 2 };
      throw new Error('boom');
    }
    await expect(store.write(failing())).rejects.toThrow('boom');
    expect(await collect(store.read())).toEqual([{ n: 1 }]);
    expect(await readdir(dir)).toEqual(['data.jsonl']);
    await store.close();
  });

  it('clears, reads a missing output store as empty, and reports existence', async () => {
    const path = join(dir, 'data.jsonl');
    const store = createJsonlDatastore(path);
    expect(await store.exists()).toBe(false);
    expect(await collect(store.read())).toEqual([]);
    await store.append([{ a: 1 }]);
    expect(await store.exists()).toBe(true);
    await store.clear();
    expect(await store.exists()).toBe(false);
    await store.append([{ a: 2 }]);
    expect(await collect(store.read())).toEqual([{ a: 2 }]);
    await store.close();
  });

  it('says which input file is missing', async () => {
    const path = join(dir, 'seeds.jsonl');
    const error = await errorOf(collect(createJsonlDatastore(path, { mustExist: true }).read()));
    expect(isDgtError(error) && error.code).toBe('DATA_FILE');
    expect(error.message).toContain(`Data file not found: ${path}`);
  });
});
