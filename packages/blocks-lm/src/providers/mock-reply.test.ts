import { createRandom } from '@dgt/core';
import { describe, expect, it } from 'vitest';
import { fieldText, readMaterial, structuredMockReply } from './mock-reply.js';

const PROMPT = `Study these examples:

Question: What is the capital of Peru?
Answer: Lima

[Question]
Which river flows through Cairo?
[Answer]
The Nile
[End]

** Instruction
Convert 5 kilometres to metres.
** Output
5000 metres

Reply with a JSON object {"question": "...", "answer": "..."}. If you cannot, reply as:
Question: <your question>`;

describe('the mock reads the examples a prompt shows', () => {
  it('in the layouts builders use, ignoring placeholders', () => {
    const { values } = readMaterial(PROMPT);
    expect(values.get('question')).toEqual([
      'What is the capital of Peru?',
      'Which river flows through Cairo?',
    ]);
    expect(values.get('answer')).toEqual(['Lima', 'The Nile']);
    expect(values.get('instruction')).toEqual(['Convert 5 kilometres to metres.']);
    expect(values.get('output')).toEqual(['5000 metres']);
  });

  it('writes a field from its examples (under its own label or a synonym), varied', () => {
    const material = readMaterial(PROMPT);
    const questions = Array.from({ length: 20 }, (_, i) =>
      fieldText('question', material, {}, createRandom(i)),
    );
    const examples = [...material.values.get('question')!, 'Convert 5 kilometres to metres.'];
    for (const question of questions) {
      // Each is an example with a word or two swapped: most of its words are an example's.
      const words = question.split(' ');
      const best = Math.max(
        ...examples.map((e) => words.filter((w) => e.split(' ').includes(w)).length / words.length),
      );
      expect(best).toBeGreaterThanOrEqual(0.5);
    }
    expect(new Set(questions).size).toBeGreaterThan(5);
  });

  it("gives back a value the row knows: final_answer is the record's answer", () => {
    const reply = structuredMockReply(
      {
        type: 'object',
        properties: {
          steps: { type: 'array', minItems: 1, items: { type: 'string' } },
          final_answer: { type: 'string' },
        },
        required: ['steps', 'final_answer'],
      },
      'Problem:\nSam has 12 apples and gives away 5. How many are left?\n',
      { record: { question: 'Sam has 12 apples…', answer: '7' } },
      createRandom(1),
    ) as { steps: string[]; final_answer: string };
    expect(reply.final_answer).toBe('7');
    expect(reply.steps.length).toBeGreaterThan(0);
    const problem = 'sam has 12 apples and gives away 5. how many are left?';
    for (const step of reply.steps)
      for (const word of step.toLowerCase().match(/[a-z0-9]+/g) ?? [])
        expect(problem).toContain(word);
  });

  it('keeps strings that must follow an enum or a length as the schema sample made them', () => {
    const reply = structuredMockReply(
      {
        type: 'object',
        properties: {
          difficulty: { type: 'string', enum: ['easy', 'hard'] },
          answer: { type: 'string', maxLength: 3 },
        },
        required: ['difficulty', 'answer'],
      },
      PROMPT,
      {},
      createRandom(3),
    ) as Record<string, string>;
    expect(['easy', 'hard']).toContain(reply.difficulty);
    expect(reply.answer!.length).toBeLessThanOrEqual(3);
  });
});

describe("the mock's yes/no fields", () => {
  it('are mostly true, so what follows an LM judge runs in a dry run', () => {
    const schema = {
      type: 'object',
      properties: { reason: { type: 'string' }, pass: { type: 'boolean' } },
      required: ['reason', 'pass'],
    };
    const verdicts = Array.from(
      { length: 200 },
      (_, i) =>
        (structuredMockReply(schema, PROMPT, {}, createRandom(i)) as { pass: boolean }).pass,
    );
    const passed = verdicts.filter(Boolean).length;
    expect(passed).toBeGreaterThan(160);
    expect(passed).toBeLessThan(200);
  });
});
