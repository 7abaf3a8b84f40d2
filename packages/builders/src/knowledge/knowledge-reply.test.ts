import { describe, expect, it } from 'vitest';
import { inlineDocuments } from './documents.js';
import { parseKnowledgeReply } from './knowledge-reply.js';

describe('parseKnowledgeReply', () => {
  it('reads free-response pairs from structured output', () => {
    expect(
      parseKnowledgeReply({ parsed: { pairs: [{ question: 'Q?', answer: 'A.' }] } }, 'FRQ'),
    ).toEqual([{ question: 'Q?', answer: 'A.' }]);
  });

  it('lists multiple-choice options in the question and gives the lettered answer', () => {
    const parsed = {
      questions: [
        {
          question: 'Who lays eggs?',
          choices: ['Drones', 'The queen', 'Nurses', 'Guards'],
          answer: 'B',
        },
      ],
    };
    expect(parseKnowledgeReply({ parsed }, 'MCQ')).toEqual([
      {
        question: 'Who lays eggs?\nA) Drones\nB) The queen\nC) Nurses\nD) Guards',
        answer: 'B) The queen',
        choices: ['Drones', 'The queen', 'Nurses', 'Guards'],
      },
    ]);
  });

  it("falls back to DiGiT's [Question]/[Answer]/[End] text, dropping a cut-off last pair", () => {
    const result =
      '[Question]\nWhat do drones do?\n[Answer]\nThey mate.\n[End]\n\n[Question]\nHow long?\n[Answer]\nSix weeks.\n[End]\n[Question]\nCut\n[Answer]\noff';
    expect(parseKnowledgeReply({ result }, 'FRQ')).toEqual([
      { question: 'What do drones do?', answer: 'They mate.' },
      { question: 'How long?', answer: 'Six weeks.' },
    ]);
  });
});

describe('inlineDocuments', () => {
  it('names documents by their include key, lists and records alike', () => {
    expect(
      inlineDocuments(
        { bees: '# Bees', notes: ['one', 'two'], rows: [{ title: 'T', content: 'c' }] },
        'task',
      ),
    ).toEqual([
      { name: 'bees', text: '# Bees' },
      { name: 'notes#1', text: 'one' },
      { name: 'notes#2', text: 'two' },
      { name: 'T', text: 'c' },
    ]);
    expect(() => inlineDocuments({ bad: [42] }, 'task "x"')).toThrow(/documents.bad/);
  });
});
