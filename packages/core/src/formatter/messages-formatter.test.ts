import { describe, expect, it } from 'vitest';
import { isDgtError } from '../errors/dgt-error.js';
import { createMessagesFormatter, messagesFormatterConfigSchema } from './messages-formatter.js';

const make = (config: Record<string, unknown>) =>
  createMessagesFormatter(messagesFormatterConfigSchema.parse(config));

describe('messages formatter', () => {
  it('uses question/answer style fields by default', () => {
    expect(
      make({}).apply({ question: 'Capital of Peru?', answer: 'Lima', task_name: 't' }),
    ).toEqual({
      messages: [
        { role: 'user', content: 'Capital of Peru?' },
        { role: 'assistant', content: 'Lima' },
      ],
    });
  });

  it('renders system/user/assistant templates and keeps chosen fields', () => {
    const formatter = make({
      system: 'Topic: {{ topic }}',
      user: 'Q: {{ question }}',
      assistant: '{{ answer }}',
      keep: ['task_name'],
    });
    expect(
      formatter.apply({ topic: 'rivers', question: 'Longest?', answer: 'Nile', task_name: 't' }),
    ).toEqual({
      task_name: 't',
      messages: [
        { role: 'system', content: 'Topic: rivers' },
        { role: 'user', content: 'Q: Longest?' },
        { role: 'assistant', content: 'Nile' },
      ],
    });
  });

  it('takes a full list of message templates', () => {
    const formatter = make({
      messages: [
        { role: 'user', content: '{{ a }}' },
        { role: 'assistant', content: '{{ b }}' },
        { role: 'user', content: 'more?' },
      ],
    });
    expect(formatter.apply({ a: '1', b: '2' }).messages).toHaveLength(3);
  });

  it('names the fields it looked for when a record has no user text', () => {
    let error: unknown;
    try {
      make({}).apply({ answer: 'x' });
    } catch (e) {
      error = e;
    }
    expect(isDgtError(error) && error.message).toContain(
      'looked for question, instruction, prompt, input',
    );
  });

  it('keeps the turns of a conversation record (formatters/conversation/messages)', () => {
    const messages = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
    ];
    expect(make({}).apply({ conversation_id: 'c1', steps: [], messages })).toEqual({
      conversation_id: 'c1',
      messages,
    });
  });
});
