import { describe, expect, it } from 'vitest';
import { callContext, makeBlock } from './shared/make-block.js';
import { syntaxBlock } from './syntax.js';

async function verdicts(config: Record<string, unknown>, inputs: string[]) {
  const block = await makeBlock(syntaxBlock, config);
  const out = await block.call(
    inputs.map((input) => ({ input })),
    undefined,
    callContext(),
  );
  return out.rows.map((r) => (r.is_valid ? true : String(r.invalid_reason)));
}

describe('syntax', () => {
  it('json', async () => {
    const [ok, bad] = await verdicts({ language: 'json' }, ['{"a": [1, 2]}', '{"a": [1, 2}']);
    expect(ok).toBe(true);
    expect(bad).toMatch(/^invalid json: /);
  });

  it('yaml, with the line of the error', async () => {
    const [ok, bad] = await verdicts({ language: 'YAML' }, [
      'name: x\nitems:\n  - 1\n  - 2\n',
      'name: x\n  items: [1, 2\n',
    ]);
    expect(ok).toBe(true);
    expect(bad).toMatch(/^invalid yaml: .*line/i);
  });

  it('sql, per dialect', async () => {
    const results = await verdicts({ language: 'sql', dialect: 'postgresql' }, [
      'SELECT name, COUNT(*) FROM users WHERE age > 30 GROUP BY name ORDER BY 2 DESC LIMIT 5;',
      'SELECT name FROM WHERE age > 30',
      'SELEC * FROM users',
    ]);
    expect(results[0]).toBe(true);
    expect(results[1]).toMatch(/^invalid sql: /);
    expect(results[2]).toMatch(/^invalid sql: /);
  });

  it('python, through the tree-sitter grammar, inside a Markdown fence', async () => {
    const results = await verdicts({ language: 'python' }, [
      '```python\ndef area(r):\n    return 3.14159 * r ** 2\n```',
      'def area(r)\n    return 3.14159 * r ** 2\n',
      'print("unclosed"\n',
      'class A:\n    def f(self):\n        return [x for x in range(3) if x]\n',
    ]);
    expect(results[0]).toBe(true);
    expect(results[1]).toMatch(/^invalid python: .*line 1/);
    expect(results[2]).toMatch(/^invalid python: /);
    expect(results[3]).toBe(true);
  });

  it('empty text is invalid; unknown languages are refused in the config', async () => {
    expect(await verdicts({ language: 'json' }, ['  '])).toEqual(['empty json']);
    expect(() =>
      syntaxBlock.configSchema.parse({ name: 's', type: 'syntax', language: 'cobol' }),
    ).toThrow();
  });
});
