import { describe, expect, it } from 'vitest';
import { isFormatterDefinition } from '../contracts/guards.js';
import { isDgtError } from '../errors/dgt-error.js';
import { builtinFormatters } from './builtin-formatters.js';
import {
  createNativeFormatter,
  nativeFormatter,
  nativeFormatterConfigSchema,
} from './native-formatter.js';

const record = {
  task_name: 'qa',
  is_seed: false,
  question: ' Capital of Peru? ',
  answer: 'Lima',
  tags: ['geo', 'capital'],
  meta: { source: 'atlas' },
};

describe('native formatter', () => {
  it('renders the fields of a format mapping', () => {
    const formatter = createNativeFormatter({
      type: 'native',
      format: {
        prompt: 'Question: {{ question | trim }}',
        completion: '{{ answer | upper }}',
        topics: '{{ tags | join(", ") }}',
      },
    });
    expect(formatter.apply(record)).toEqual({
      prompt: 'Question: Capital of Peru?',
      completion: 'LIMA',
      topics: 'geo, capital',
    });
  });

  it("accepts DiGiT's shape, with output fields beside type", () => {
    const config = nativeFormatter.configSchema.parse({
      type: 'native',
      input: '{{question}}',
      output: '{{answer}}',
    });
    expect(nativeFormatter.create(config).apply(record)).toEqual({
      input: ' Capital of Peru? ',
      output: 'Lima',
    });
  });

  it('copies lone placeholders with their type and builds nested values', () => {
    const formatter = createNativeFormatter({
      format: {
        tags: '{{ tags }}',
        source: '{{ meta.source }}',
        missing: '{{ nothing }}',
        weight: 1,
        messages: [
          { role: 'user', content: '{{ question | trim }}' },
          { role: 'assistant', content: '{{ answer }}' },
        ],
      },
    });
    expect(formatter.apply(record)).toEqual({
      tags: ['geo', 'capital'],
      source: 'atlas',
      missing: '',
      weight: 1,
      messages: [
        { role: 'user', content: 'Capital of Peru?' },
        { role: 'assistant', content: 'Lima' },
      ],
    });
  });

  it('passes records through when no fields are given', () => {
    const formatter = createNativeFormatter({ type: 'native' });
    const out = formatter.apply(record);
    expect(out).toEqual(record);
    expect(out).not.toBe(record);
  });

  it('reports a template syntax error at creation, naming the field', () => {
    let caught: unknown;
    try {
      createNativeFormatter({ format: { messages: [{ content: '{{ question ' }] } });
    } catch (error) {
      caught = error;
    }
    expect(isDgtError(caught) && caught.code).toBe('TEMPLATE');
    expect((caught as Error).message).toContain("formatter field 'messages.0.content'");
  });

  it("is the built-in native type, also under DiGiT's ids", () => {
    const formatters = builtinFormatters();
    expect(Object.keys(formatters)).toEqual(
      expect.arrayContaining(['native', 'formatters/native', 'formatters/template']),
    );
    expect(isFormatterDefinition(formatters.native)).toBe(true);
    expect(formatters['formatters/native']).toBe(formatters.native);
  });

  it('takes a single template string as DiGiT does, giving {text}', () => {
    const formatter = createNativeFormatter(
      nativeFormatterConfigSchema.parse({ type: 'native', format: '{{question}} -> {{answer}}' }),
    );
    expect(formatter.apply({ question: 'Q', answer: 'A' })).toEqual({ text: 'Q -> A' });
  });
});
