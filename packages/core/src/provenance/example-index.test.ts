import { describe, expect, it } from 'vitest';
import { ExampleIndex } from './example-index.js';

describe('ExampleIndex', () => {
  it('finds the records a prompt shows, by their text under a label', () => {
    const index = new ExampleIndex();
    index.add(
      { task_name: 't', question: 'Which river flows through Budapest?', answer: 'Danube' },
      'seed:0',
    );
    index.add({ task_name: 't', question: 'What is the capital of Peru?', answer: 'Lima' }, 'r1');
    index.add({ task_name: 't', question: 'Never shown in any prompt here', answer: 'x' }, 'r2');
    const prompt = [
      {
        role: 'user',
        content:
          'Examples:\nQuestion: What is the capital of Peru?\nAnswer: Lima\n\nQuestion: Which river flows through Budapest?',
      },
    ];
    expect(index.find(prompt)).toEqual(['r1', 'seed:0']);
    expect(index.find('nothing known')).toEqual([]);
  });
});
