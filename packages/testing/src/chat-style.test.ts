import { describe, expect, it } from 'vitest';
import { chatStyled } from './chat-style.js';

const QA = JSON.stringify({ question: 'Where is Lima?', answer: 'Peru' });

describe('chatStyled', () => {
  it('dresses a JSON reply in turn: after a sentence, fenced, bold, Q/A, headings, numbered', () => {
    const dresses = [0, 1, 2, 3, 4, 5].map((i) => chatStyled(QA, i));
    expect(dresses[0]).toBe(`Here is the JSON:\n\n${QA}`);
    expect(dresses[1]).toContain('```json\n{\n  "question"');
    expect(dresses[2]).toBe('**Question:** Where is Lima?\n**Answer:** Peru');
    expect(dresses[3]).toBe('Q: Where is Lima?\nA: Peru');
    expect(dresses[4]).toBe('### Question\nWhere is Lima?\n\n### Answer\nPeru\n');
    expect(dresses[5]).toBe('1. Question: Where is Lima?\n   Answer: Peru');
  });

  it('keeps JSON with non-text values as JSON, and leaves other text alone', () => {
    const mcq = JSON.stringify({ question: 'q', choices: ['a', 'b'], answer: 'a' });
    for (const i of [0, 1, 2, 3]) expect(chatStyled(mcq, i)).toContain('"choices"');
    expect(chatStyled('just words', 3)).toBe('just words');
  });
});
