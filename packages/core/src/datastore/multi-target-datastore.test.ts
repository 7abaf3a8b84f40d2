import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { multiTargetDatastore } from './multi-target-datastore.js';

async function collect(iterable: AsyncIterable<Record<string, unknown>>) {
  const out: Record<string, unknown>[] = [];
  for await (const record of iterable) out.push(record);
  return out;
}

describe('multi_target datastore', () => {
  it('appends to every target, reads from the primary, and keeps unnamed copies apart', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-multi-'));
    const config = multiTargetDatastore.configSchema.parse({
      type: 'multi_target',
      primary: { type: 'default' },
      additional: [{ type: 'default', data_path: 'copy.json' }, { type: 'jsonl' }],
    });
    const store = await multiTargetDatastore.create(config, {
      outputDir: dir,
      storeName: 'data',
      baseDir: dir,
    });
    await store.append([{ id: 1 }, { id: 2 }]);
    await store.append([{ id: 3 }]);
    expect(await collect(store.read())).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    const primary = await readFile(path.join(dir, 'data.jsonl'), 'utf8');
    expect(primary.trim().split('\n')).toHaveLength(3);
    expect(JSON.parse(await readFile(path.join(dir, 'copy.json'), 'utf8'))).toEqual([
      { id: 1 },
      { id: 2 },
      { id: 3 },
    ]);
    const second = await readFile(path.join(dir, 'data_2.jsonl'), 'utf8');
    expect(second.trim().split('\n')).toHaveLength(3);
    await store.write([{ id: 9 }]);
    expect(JSON.parse(await readFile(path.join(dir, 'copy.json'), 'utf8'))).toEqual([{ id: 9 }]);
    await store.close();
  });

  it('names a target of an unknown type and asks for a primary', async () => {
    expect(multiTargetDatastore.configSchema.safeParse({ additional: [] }).success).toBe(false);
    const config = multiTargetDatastore.configSchema.parse({ targets: [{ type: 'redis' }] });
    await expect(
      multiTargetDatastore.create(config, { outputDir: '/tmp', storeName: 'd', baseDir: '/tmp' }),
    ).rejects.toThrow(/target 1 has type "redis"; targets may be default, jsonl/);
  });
});
