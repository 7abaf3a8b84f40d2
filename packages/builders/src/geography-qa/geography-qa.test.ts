import { describe, expect, it } from 'vitest';
import { geographyQaSchema, parseGeographyReply } from './geography-qa.js';

describe('parseGeographyReply', () => {
  it('prefers the structured-output object', () => {
    expect(
      parseGeographyReply({ parsed: { question: ' Q? ', answer: 'A' }, result: 'ignored' }),
    ).toEqual({ question: 'Q?', answer: 'A' });
  });

  it('reads a JSON object inside a fenced or chatty reply', () => {
    const result =
      'Sure! Here it is:\n```json\n{"question": "Which sea is saltiest?", "answer": "The Dead Sea"}\n```';
    expect(parseGeographyReply({ result })).toEqual({
      question: 'Which sea is saltiest?',
      answer: 'The Dead Sea',
    });
  });

  it("reads DiGiT's Question:/Answer: text, stopping at a second question", () => {
    const result =
      'Question: What is the capital of Peru?\nAnswer: Lima\n\nQuestion: another\nAnswer: x';
    expect(parseGeographyReply({ result })).toEqual({
      question: 'What is the capital of Peru?',
      answer: 'Lima',
    });
  });

  it('rejects replies without both parts', () => {
    expect(parseGeographyReply({ result: 'I cannot help with that.' })).toBeUndefined();
    expect(parseGeographyReply({ parsed: { question: 'only' }, result: '' })).toBeUndefined();
    expect(parseGeographyReply({ result: 'Question: ?\nAnswer:   ' })).toBeUndefined();
  });
});

describe('geographyQaSchema', () => {
  it('takes YAML numbers as text answers', () => {
    expect(
      geographyQaSchema.parse({ task_name: 't', question: 'How many time zones?', answer: 11 })
        .answer,
    ).toBe('11');
  });
});
