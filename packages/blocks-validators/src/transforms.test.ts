import { describe, expect, it } from 'vitest';
import { dataLeakBlock } from './data-leak.js';
import { fieldMapBlock } from './field-map.js';
import { flattenFieldBlock } from './flatten-field.js';
import { callContext, makeBlock } from './shared/make-block.js';

describe('field_map', () => {
  it('copies nested values by dotted path, or renames with remove_source', async () => {
    const copy = await makeBlock(fieldMapBlock, {
      name: 'map',
      field_map: { 'reply.answer': 'answer', prompt: 'question', missing: 'nothing' },
    });
    const rows = [{ prompt: 'Q?', reply: { answer: 'A' } }];
    await copy.call(rows, undefined, callContext());
    expect(rows[0]).toEqual({ prompt: 'Q?', reply: { answer: 'A' }, answer: 'A', question: 'Q?' });

    const rename = await makeBlock(fieldMapBlock, {
      name: 'map',
      field_map: { prompt: 'question' },
      remove_source: true,
    });
    const renamed = [{ prompt: 'Q?' }];
    await rename.call(renamed, undefined, callContext());
    expect(renamed[0]).toEqual({ question: 'Q?' });
  });
});

describe('flatten_field', () => {
  it('makes one row per list item, passes non-lists, and rejects empty lists with the reason', async () => {
    const block = await makeBlock(flattenFieldBlock, {
      name: 'flat',
      field: 'questions',
      output_field: 'question',
    });
    const out = await block.call(
      [
        { id: 1, questions: ['a', 'b'] },
        { id: 2, questions: 'c' },
        { id: 3, questions: [] },
      ],
      undefined,
      callContext(),
    );
    expect(out.rows).toEqual([
      { id: 1, question: 'a' },
      { id: 1, question: 'b' },
      { id: 2, questions: 'c' },
    ]);
    expect(out.rejected).toEqual([
      { row: { id: 3, questions: [] }, reason: 'field "questions" is an empty list' },
    ]);
  });
});

describe('validators/data_leak', () => {
  const reference =
    'The quick brown fox jumps over the lazy dog while the farmer watches from the old red barn door';
  it('rejects a row copying its reference and keeps a paraphrase', async () => {
    const block = await makeBlock(dataLeakBlock, { name: 'leak', filter: true, ngram: 4 });
    const out = await block.call(
      [
        { input: `As written: ${reference}.`, reference },
        { input: 'A fast fox leapt a sleepy hound as a farmer looked on from a barn.', reference },
      ],
      undefined,
      callContext(),
    );
    expect(out.rows).toHaveLength(1);
    expect(String(out.rows[0]?.input)).toMatch(/^A fast fox/);
    expect(out.rejected?.[0]?.reason).toMatch(/^\d+% of its 4-word sequences copy the reference/);
  });

  it('checks the configured references too, and marks rather than drops without filter', async () => {
    const block = await makeBlock(dataLeakBlock, { name: 'leak', references: [reference] });
    const rows = [{ input: reference }, { input: 'Something else entirely, about tides.' }];
    await block.call(rows, undefined, callContext());
    expect(rows.map((r) => (r as { is_valid?: boolean }).is_valid)).toEqual([false, true]);
  });
});
