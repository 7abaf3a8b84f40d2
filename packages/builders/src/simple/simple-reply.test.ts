import { describe, expect, it } from 'vitest';
import { simpleRecordSchema } from './simple.js';
import { parseSimpleReply } from './simple-reply.js';

describe('parseSimpleReply', () => {
  it('reads the structured list, dropping items without a question or an answer', () => {
    const parsed = {
      pairs: [
        { question: ' Sort these dates. ', context: '3 May, 1 May', answer: '1 May, 3 May' },
        { question: 'No answer', context: '', answer: '' },
        { question: 'Name a prime.', context: '<noinput>', answer: '7' },
      ],
    };
    expect(parseSimpleReply({ parsed })).toEqual([
      { question: 'Sort these dates.', context: '3 May, 1 May', answer: '1 May, 3 May' },
      { question: 'Name a prime.', answer: '7' },
    ]);
  });

  it("falls back to DiGiT's * Task text format", () => {
    const result = `* Task 3
** Instruction
Who arrived first if Ann came before Bob?
** Input
<noinput>
** Output
Ann arrived first.
* Task 4
** Instruction
Order the events.
** Input
Lunch at noon, breakfast at eight.
** Output
Breakfast, then lunch.
* Task 5
** Instruction
cut off here`;
    expect(parseSimpleReply({ result })).toEqual([
      { question: 'Who arrived first if Ann came before Bob?', answer: 'Ann arrived first.' },
      {
        question: 'Order the events.',
        context: 'Lunch at noon, breakfast at eight.',
        answer: 'Breakfast, then lunch.',
      },
    ]);
  });

  it('reads JSON in a chatty reply and Question:/Answer: text', () => {
    expect(
      parseSimpleReply({
        result: 'Sure!\n```json\n{"pairs":[{"question":"Q?","answer":"A"}]}\n```',
      }),
    ).toEqual([{ question: 'Q?', answer: 'A' }]);
    expect(
      parseSimpleReply({ result: 'Question: Q1?\nAnswer: A1\nQuestion: Q2?\nAnswer: A2' }),
    ).toEqual([
      { question: 'Q1?', answer: 'A1' },
      { question: 'Q2?', answer: 'A2' },
    ]);
    expect(parseSimpleReply({ result: 'I cannot help with that.' })).toEqual([]);
  });
});

describe('simpleRecordSchema', () => {
  it("reads DiGiT's instruction/input/output seeds as question/context/answer", () => {
    expect(
      simpleRecordSchema.parse({ task_name: 't', instruction: 'Do it', input: '', output: 42 }),
    ).toMatchObject({ question: 'Do it', context: '', answer: '42' });
  });
});
