import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordId } from './record-id.js';
import {
  appendReviewDecision,
  applyReviewDecisions,
  readReviewDecisions,
} from './review-decisions.js';

const a = { task_name: 't', is_seed: false, q: 'first' };
const b = { task_name: 't', is_seed: false, q: 'second' };
const c = { task_name: 't', is_seed: false, q: 'third' };

describe('review decisions', () => {
  it('record ids depend on content only, not key order', () => {
    expect(recordId({ b: 1, a: { y: 2, x: 1 } })).toBe(recordId({ a: { x: 1, y: 2 }, b: 1 }));
    // Ids are stored in provenance.jsonl: the canonical form must never change.
    const record = {
      task_name: 't',
      question: 'Où est "Lima"?\u2028',
      answer: 'Peru',
      n: [1, null, { z: undefined, b: 2, a: [true] }],
      u: undefined,
      é: 1,
      E: 2,
    };
    expect(recordId(record)).toBe('28456d31ed764799');
    expect(recordId(a)).not.toBe(recordId(b));
  });

  it('keeps the latest decision per record', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-review-'));
    const time = new Date().toISOString();
    await appendReviewDecision(dir, { id: 'x', decision: 'reject', time });
    await appendReviewDecision(dir, { id: 'x', decision: 'approve', time });
    const decisions = await readReviewDecisions(dir);
    expect(decisions.get('x')?.decision).toBe('approve');
  });

  it('rejects take records out, edits replace them in place, and reapplying changes nothing', () => {
    const time = new Date().toISOString();
    const decisions = new Map([
      [recordId(a), { id: recordId(a), decision: 'reject' as const, time }],
      [recordId(b), { id: recordId(b), decision: 'edit' as const, record: { q: 'edited' }, time }],
      [recordId(c), { id: recordId(c), decision: 'approve' as const, time }],
    ]);
    const first = applyReviewDecisions([a, b, c], decisions);
    expect(first.changed).toBe(true);
    expect(first.records).toEqual([{ task_name: 't', is_seed: false, q: 'edited' }, c]);
    expect(first.rejected.map((r) => r.row)).toEqual([a]);
    expect(first.renamed.get(recordId(first.records[0]))).toBe(recordId(b));
    const again = applyReviewDecisions(first.records, decisions);
    expect(again.changed).toBe(false);
    expect(again.records).toEqual(first.records);
  });
});
