import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvCodec } from './csv-codec.js';
import { jsonCodec } from './json-codec.js';
import { readUtf8File } from './read-utf8-file.js';
import { yamlCodec } from './yaml-codec.js';

async function file(name: string, bytes: Buffer): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dgt-utf8-'));
  const full = path.join(dir, name);
  await writeFile(full, bytes);
  return full;
}

const BAD = Buffer.from([0xc3, 0x28]); // a two-byte sequence cut short

describe('readUtf8File', () => {
  it('returns valid UTF-8 text as it is', async () => {
    const full = await file('ok.txt', Buffer.from('héllo\nwörld\n'));
    expect(await readUtf8File(full)).toBe('héllo\nwörld\n');
  });

  it('names the file, line and column of the first byte that is not UTF-8', async () => {
    const full = await file(
      'bad.json',
      Buffer.concat([Buffer.from('[\n  {"a": 1},\n  {"b": "x'), BAD, Buffer.from('"}\n]\n')]),
    );
    await expect(readUtf8File(full)).rejects.toThrow(`${full}:3: not valid UTF-8 text (column 11)`);
  });

  it('stops JSON, YAML and CSV inputs instead of reading U+FFFD into a record', async () => {
    const json = await file(
      'in.json',
      Buffer.concat([Buffer.from('[{"q": "'), BAD, Buffer.from('"}]')]),
    );
    const yaml = await file(
      'in.yaml',
      Buffer.concat([Buffer.from('- q: '), BAD, Buffer.from('\n')]),
    );
    const drain = async (records: AsyncIterable<unknown>) => {
      for await (const _ of records);
    };
    await expect(drain(jsonCodec.read(json))).rejects.toThrow(`${json}:1: not valid UTF-8`);
    await expect(drain(yamlCodec.read(yaml))).rejects.toThrow(`${yaml}:1: not valid UTF-8`);
    const csv = await file('in.csv', Buffer.concat([Buffer.from('q,a\nok,fine\nbad,'), BAD]));
    await expect(drain(csvCodec.read(csv))).rejects.toThrow(
      `${csv}:3: not valid UTF-8 text (column 5)`,
    );
  });
});
