import { Template } from '@huggingface/jinja';
import { describe, expect, it } from 'vitest';
import { compileFastRender, UNSUPPORTED } from './fast-render.js';
import { compileTemplate } from './prompt-template.js';

const TEMPLATES = [
  'plain text\n',
  'Hi {{ name }}!',
  '[{{ missing }}] [{{ nothing }}]',
  '{{ name | trim }}|{{ name | upper }}|{{ name | lower | trim }}',
  '{% for ex in examples %}Q: {{ ex.question | trim }}\nA: {{ ex.answer }}\n\n{% endfor %}end',
  '  {% for ex in examples %}\n  - {{ ex.question }}\n  {% endfor %}\ndone\n',
  '{% for ex in examples %}{{ ex.question }}{% else %}none{% endfor %}',
  '{% for a in outer %}{% for a in a.inner %}<{{ a.v }}>{% endfor %}{{ a.name }};{% endfor %}',
  '{% if flag %}yes{% elif name %}name{% else %}no{% endif %}',
  '{% if examples %}some{% endif %}{% if empty %}x{% endif %}{% if obj %}o{% endif %}',
  'a   {{- " b " -}}   c',
  '{# a comment #}after',
  '{% for ex in examples %}{% if ex.answer %}{{ ex.answer }}{% else %}-{% endif %},{% endfor %}',
];

const VARIABLES: Record<string, unknown>[] = [
  {
    name: '  Ada ',
    flag: false,
    nothing: null,
    examples: [
      { question: ' Capital of Peru? ', answer: 'Lima' },
      { question: 'Longest river?', answer: '' },
      { question: 'Unanswered?' },
    ],
    outer: [
      { name: 'x', inner: [{ v: '1' }, { v: '2' }] },
      { name: 'y', inner: [] },
    ],
    empty: [],
    obj: { k: 'v' },
  },
  { name: '', flag: 1, examples: [], outer: [], empty: [], obj: {} },
  { flag: 'text', examples: [{ question: 'q', answer: 'a' }], outer: [], obj: {} },
];

describe('compileFastRender', () => {
  it('renders exactly what jinja renders, for the templates it takes', () => {
    let direct = 0;
    for (const source of TEMPLATES) {
      const template = new Template(source);
      const fast = compileFastRender(template.parsed);
      expect(fast, source).toBeDefined();
      for (const vars of VARIABLES) {
        let expected: string | undefined;
        try {
          expected = template.render(vars);
        } catch {
          // jinja refuses these variables: the direct renderer must hand them over
        }
        try {
          const text = fast!(vars);
          expect(text, source).toBe(expected);
          direct++;
        } catch (error) {
          expect(error, source).toBe(UNSUPPORTED);
        }
      }
    }
    // Only `| trim` of a missing name (which jinja refuses) goes back to jinja.
    expect(direct).toBe(TEMPLATES.length * VARIABLES.length - 1);
  });

  it('leaves other templates to jinja', () => {
    for (const source of [
      '{{ loop }}',
      '{% for x in xs %}{{ loop.index }}{% endfor %}',
      '{{ tags | join(", ") }}',
      '{{ tags | length }}',
      '{% set x = 1 %}{{ x }}',
      '{{ a ~ b }}',
      '{{ 3 }}',
      '{{ x[0] }}',
      '{% for x in xs if x %}{{ x }}{% endfor %}',
      '{% if not x %}n{% endif %}',
      '{{ true }}',
    ])
      expect(compileFastRender(new Template(source).parsed), source).toBeUndefined();
  });
});

describe('compileTemplate', () => {
  it('gives jinja the values the direct renderer does not handle', () => {
    const template = compileTemplate('{{ value }}|{% for k in items %}{{ k }},{% endfor %}');
    const jinja = new Template('{{ value }}|{% for k in items %}{{ k }},{% endfor %}');
    for (const vars of [
      { value: 3, items: ['a'] },
      { value: 2.5, items: { first: 1, second: 2 } },
      { value: true, items: [] },
      { value: [1, 'a'], items: [] },
      { value: { a: 1 }, items: [] },
      { value: 'text', items: ['a', 'b'] },
    ])
      expect(template.render(vars)).toBe(jinja.render(vars));
    const member = compileTemplate('{{ x.items }}{{ s.upper }}');
    expect(compileTemplate('[{{ x.missing }}]').render({ x: { a: 1 } })).toBe('[]');
    expect(member.render({ x: { a: 1 }, s: 'abc' })).toBe(
      new Template('{{ x.items }}{{ s.upper }}').render({ x: { a: 1 }, s: 'abc' }),
    );
    expect(() => compileTemplate('{{ x | trim }}').render({ x: 1 })).toThrow(/failed to render/);
    expect(() => compileTemplate('{{ x }}').render({ true: 1 })).toThrow(/failed to render/);
  });
});
