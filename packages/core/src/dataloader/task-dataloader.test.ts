import { describe, expect, it } from 'vitest';
import { remapFields } from './task-dataloader.js';

describe('remapFields (dataloader fields)', () => {
  const record = { q: 'Q?', a: 'A', meta: { lang: 'en', src: 'x' } };

  it('keeps only the mapped fields, renamed, without "*"', () => {
    expect(remapFields(record, { q: 'question', a: 'answer' }, 'r')).toEqual({
      question: 'Q?',
      answer: 'A',
    });
  });

  it('keeps every field and adds the mapped ones with "*": "*"', () => {
    expect(remapFields(record, { '*': '*', q: 'question' }, 'r')).toEqual({
      ...record,
      question: 'Q?',
    });
    expect(remapFields(record, { '*': '*' }, 'r')).toBe(record);
  });

  it('reads and writes nested paths with dot notation, leaving the source record as it was', () => {
    const out = remapFields(record, { '*': '*', 'meta.lang': 'language', a: 'meta.answer' }, 'r');
    expect(out).toMatchObject({ language: 'en', meta: { lang: 'en', src: 'x', answer: 'A' } });
    expect(record.meta).toEqual({ lang: 'en', src: 'x' });
  });

  it('names the record and the field when a mapped field is missing', () => {
    expect(() => remapFields(record, { body: 'text' }, 'input record 7')).toThrow(
      'input record 7 has no field "body", which the task\'s dataloader fields map to "text"',
    );
  });
});
