import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDgtError } from '../errors/dgt-error.js';
import { compileTemplate, loadTemplate } from './prompt-template.js';

function templateError(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (isDgtError(error)) return error;
    throw error;
  }
  throw new Error('expected a DgtError');
}

describe('compileTemplate', () => {
  it('renders variables, loops and conditionals', () => {
    const template = compileTemplate(
      [
        'Task: {{ task }}',
        '{% for ex in examples %}',
        'Q{{ loop.index }}: {{ ex.question }}',
        '{% if ex.answer %}',
        'A: {{ ex.answer }}',
        '{% endif %}',
        '{% endfor %}',
        'Q: ',
      ].join('\n'),
    );
    const text = template.render({
      task: 'geography',
      examples: [{ question: 'Capital of Peru?', answer: 'Lima' }, { question: 'Longest river?' }],
    });
    expect(text).toBe('Task: geography\nQ1: Capital of Peru?\nA: Lima\nQ2: Longest river?\nQ: ');
  });

  it('supports join, length, trim and upper filters', () => {
    const template = compileTemplate(
      '{{ tags | join(", ") }} ({{ tags | length }}) [{{ name | trim }}] {{ name | trim | upper }}',
    );
    expect(template.render({ tags: ['a', 'b', 'c'], name: '  dgt ' })).toBe(
      'a, b, c (3) [dgt] DGT',
    );
  });

  it('trims block lines and whitespace markers like chat templates', () => {
    expect(compileTemplate('  {% if x %}\nyes\n  {% endif %}\nend\n').render({ x: true })).toBe(
      'yes\nend',
    );
    expect(compileTemplate('a   {{- " b " -}}   c').render({})).toBe('a b c');
    expect(compileTemplate('keep  {{ x }}  spaces').render({ x: 1 })).toBe('keep  1  spaces');
  });

  it('renders undefined variables as empty text', () => {
    expect(compileTemplate('[{{ missing }}]').render({})).toBe('[]');
  });

  it('names the template in a syntax error', () => {
    const error = templateError(() => compileTemplate('{% for x in %}{% endfor %}', 'qa prompt'));
    expect(error.code).toBe('TEMPLATE');
    expect(error.message).toMatch(/^Template qa prompt has a syntax error: /);
    expect(templateError(() => compileTemplate('Hello {{ name')).message).toContain(
      'inline template',
    );
  });

  it('names the template in a render error', () => {
    const template = compileTemplate('{{ value | nosuchfilter }}', 'broken');
    const error = templateError(() => template.render({ value: 1 }));
    expect(error.code).toBe('TEMPLATE');
    expect(error.message).toMatch(/^Template broken failed to render: .*nosuchfilter/);
  });
});

describe('loadTemplate', () => {
  it('reads a file and names it in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dgt-template-'));
    try {
      const good = join(dir, 'good.j2');
      await writeFile(good, 'Hi {{ who }}!\n');
      const template = await loadTemplate(good);
      expect(template.name).toBe(good);
      expect(template.render({ who: 'there' })).toBe('Hi there!');

      const bad = join(dir, 'bad.j2');
      await writeFile(bad, '{% if %}');
      await expect(loadTemplate(bad)).rejects.toThrow(`Template ${bad} has a syntax error`);
      await expect(loadTemplate(join(dir, 'none.j2'))).rejects.toThrow('Template file not found');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('rendering limits', () => {
  it('ends range(10**9) with a TEMPLATE error naming the template, not a V8 fatal error', () => {
    const template = compileTemplate('{{ range(10**9) | length }}', 'big.txt');
    expect(() => template.render({})).toThrow(/Template big\.txt went past a rendering limit/);
  });

  it('bounds nested loops by the items all range() calls produce together', () => {
    const template = compileTemplate(
      '{% for a in range(1000) %}{% for b in range(1000) %}x{% endfor %}{% endfor %}',
      'nested.txt',
    );
    expect(() => template.render({})).toThrow(/nested.txt went past a rendering limit/);
  });

  it('still renders ordinary range() loops', () => {
    const template = compileTemplate('{% for i in range(1, 7, 2) %}{{ i }},{% endfor %}');
    expect(template.render({})).toBe('1,3,5,');
  });
});
