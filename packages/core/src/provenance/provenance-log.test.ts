import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVENANCE_FILE, ProvenanceLog } from './provenance-log.js';

async function lines(dir: string) {
  const text = await readFile(path.join(dir, PROVENANCE_FILE), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('ProvenanceLog.reconcile', () => {
  it('leaves an aligned file untouched', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-prov-'));
    const log = new ProvenanceLog(dir);
    await log.append([{ id: 'a' }, { id: 'b' }] as never);
    expect(await log.reconcile(['a', 'b'])).toEqual({ rewritten: false, orphans: 0, missing: 0 });
    await log.close();
  });

  it('drops orphan entries left by a kill and marks records without an entry', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-prov-'));
    await writeFile(
      path.join(dir, PROVENANCE_FILE),
      ['a', 'b', 'c', 'd'].map((id) => JSON.stringify({ id, attempt: 1 })).join('\n') + '\n',
    );
    const log = new ProvenanceLog(dir);
    const result = await log.reconcile(['a', 'c', 'x']);
    expect(result).toEqual({ rewritten: true, orphans: 2, missing: 1 });
    expect(await lines(dir)).toEqual([
      { id: 'a', attempt: 1 },
      { id: 'c', attempt: 1 },
      { id: 'x', missing: true },
    ]);
    await log.close();
  });

  it("carries an edited record's entry over to its new id", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-prov-'));
    const log = new ProvenanceLog(dir);
    await log.append([{ id: 'a', attempt: 3 }] as never);
    await log.reconcile(['z'], new Map([['z', 'a']]));
    expect(await lines(dir)).toEqual([{ id: 'z', attempt: 3, edited_from: 'a' }]);
    await log.close();
  });
});
