import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jsonSchemaBlock } from './json-schema.js';
import { callContext, makeBlock } from './shared/make-block.js';

const schema = {
  type: 'object',
  required: ['name', 'age'],
  properties: {
    name: { type: 'string' },
    age: { type: 'integer', minimum: 0 },
    email: { type: 'string', format: 'email' },
  },
  additionalProperties: false,
};

describe('json_schema', () => {
  it('marks JSON texts and objects against a JSON Schema, naming every violation', async () => {
    const block = await makeBlock(jsonSchemaBlock, { schema });
    const out = await block.call(
      [
        { input: '{"name": "Ada", "age": 36, "email": "ada@example.org"}' },
        { input: { name: 'Bob', age: -1, nick: 'b' } },
        { input: '{"name": "Cy", "age": 3, "email": "not-an-email"}' },
        { input: '{"name": "Dee", ' },
      ],
      undefined,
      callContext(),
    );
    expect(out.rows.map((r) => r.is_valid)).toEqual([true, false, false, false]);
    expect(out.rows[1]?.invalid_reason).toMatch(/\/age must be >= 0/);
    expect(out.rows[1]?.invalid_reason).toMatch(/unexpected property "nick"/);
    expect(out.rows[2]?.invalid_reason).toMatch(/\/email must match format "email"/);
    expect(out.rows[3]?.invalid_reason).toMatch(/malformed JSON/);
  });

  it('filters with a zod schema given in code', async () => {
    const block = await makeBlock(jsonSchemaBlock, {
      filter: true,
      schema: z.object({ answer: z.number() }),
    });
    const out = await block.call(
      [{ input: '{"answer": 42}' }, { input: '{"answer": "42"}' }],
      undefined,
      callContext(),
    );
    expect(out.rows).toHaveLength(1);
    expect(out.rejected?.[0]?.reason).toMatch(/\/answer .*number/i);
  });

  it('reports an invalid JSON Schema when the block is created', async () => {
    await expect(makeBlock(jsonSchemaBlock, { schema: { type: 'nonsense' } })).rejects.toThrow(
      /JSON Schema is invalid/,
    );
  });
});
