import { appendFile, mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineIndex } from './line-index.js';

describe('LineIndex', () => {
  it('reads any range of lines, follows appends, and waits for a torn last line', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-index-'));
    const file = path.join(dir, 'data.jsonl');
    await writeFile(file, '{"a":1}\n{"a":2}\n{"a":3}\n');
    const index = new LineIndex(file);
    expect(await index.lines()).toBe(3);
    expect(await index.read(1, 3)).toEqual(['{"a":2}', '{"a":3}']);
    await appendFile(file, '{"a":4}\n{"a":');
    expect(await index.lines()).toBe(4);
    expect(await index.read(3, 10)).toEqual(['{"a":4}']);
    await appendFile(file, '5}\n');
    expect(await index.read(4, 5)).toEqual(['{"a":5}']);
  });

  it('indexes again a file that was replaced (an atomic rewrite)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-index-'));
    const file = path.join(dir, 'data.jsonl');
    await writeFile(file, '{"a":1}\n{"a":2}\n{"a":3}\n');
    const index = new LineIndex(file);
    expect(await index.lines()).toBe(3);
    await writeFile(path.join(dir, 'tmp'), '{"b":1}\n{"b":2}\n{"b":3}\n{"b":4}\n');
    await rename(path.join(dir, 'tmp'), file);
    expect(await index.read(0, 2)).toEqual(['{"b":1}', '{"b":2}']);
    expect(await index.lines()).toBe(4);
  });

  it('treats a missing file as empty', async () => {
    const index = new LineIndex(path.join(tmpdir(), 'no-such-dgt-file.jsonl'));
    expect(await index.lines()).toBe(0);
    expect(await index.read(0, 10)).toEqual([]);
  });
});
