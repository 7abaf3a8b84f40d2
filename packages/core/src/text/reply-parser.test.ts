import { describe, expect, it } from 'vitest';
import { extractJson, parseLabelledRecords, parseReply } from './reply-parser.js';

const QA = {
  type: 'object',
  properties: { question: { type: 'string' }, answer: { type: 'string' } },
  required: ['question', 'answer'],
};
const PAIRS = {
  type: 'object',
  properties: {
    pairs: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          question: { type: 'string' },
          context: { type: 'string' },
          answer: { type: 'string' },
        },
        required: ['question', 'context', 'answer'],
      },
    },
  },
  required: ['pairs'],
};

describe('extractJson', () => {
  it('reads bare, fenced and preambled JSON, objects and arrays', () => {
    expect(extractJson('{"a":1}')).toEqual({ a: 1 });
    expect(extractJson('Sure:\n```json\n{"a": [1, 2]}\n```\nDone.')).toEqual({ a: [1, 2] });
    expect(extractJson('Here is the JSON: {"a": "x}"} and more {"b": 2}')).toEqual({ a: 'x}' });
    expect(extractJson('The list: [1, 2, 3].')).toEqual([1, 2, 3]);
    expect(extractJson('I use {curly} words, then {"ok": true}')).toEqual({ ok: true });
    expect(extractJson('no JSON here')).toBeUndefined();
  });
});

describe('parseLabelledRecords', () => {
  it('reads the labelled styles chat models use', () => {
    const expected = [{ question: 'Where is Lima?', answer: 'Peru' }];
    for (const text of [
      'Question: Where is Lima?\nAnswer: Peru',
      '**Question:** Where is Lima?\n**Answer:** Peru',
      '**Question**: Where is Lima?\n**Answer**: Peru',
      'Q: Where is Lima?\nA: Peru',
      '### Question\nWhere is Lima?\n\n### Answer\nPeru\n',
      '1. Question: Where is Lima?\n   Answer: Peru',
    ]) {
      expect(parseLabelledRecords(text, ['question', 'answer']), text).toEqual(expected);
    }
  });

  it('starts a new record when a label comes again, and keeps multi-line values', () => {
    const text = 'Q: one?\nA: first\nline two\n\nQ: two?\nA: second';
    expect(parseLabelledRecords(text, ['question', 'answer'])).toEqual([
      { question: 'one?', answer: 'first\nline two' },
      { question: 'two?', answer: 'second' },
    ]);
  });

  it('does not take words inside a sentence for labels', () => {
    expect(
      parseLabelledRecords('The question is hard. The answer: none', ['question', 'answer']),
    ).toEqual([]);
  });
});

describe('parseReply', () => {
  it('shapes labelled text like the schema, filling required text fields left out', () => {
    expect(parseReply('**Question:** Where is Lima?\n**Answer:** Peru', QA)).toEqual({
      question: 'Where is Lima?',
      answer: 'Peru',
    });
    expect(parseReply('1. Q: a?\n   A: b\n2. Q: c?\n   A: d', PAIRS)).toEqual({
      pairs: [
        { question: 'a?', answer: 'b', context: '' },
        { question: 'c?', answer: 'd', context: '' },
      ],
    });
  });

  it('prefers JSON when there is some', () => {
    expect(parseReply('Here is the JSON:\n{"question": "q", "answer": "a"}', QA)).toEqual({
      question: 'q',
      answer: 'a',
    });
  });
});
