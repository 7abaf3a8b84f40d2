import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRandom } from '../random/seeded-random.js';
import { plausibleText, sampleFromJsonSchema } from './json-schema-sample.js';

const toSchema = (schema: z.ZodType) => z.toJSONSchema(schema) as Record<string, unknown>;

describe('sampleFromJsonSchema', () => {
  it('fills a zod-generated schema with values the zod schema accepts', () => {
    const shape = z.object({
      question: z.string().min(3).max(200),
      answer: z.string(),
      score: z.number().min(0).max(1),
      rank: z.number().int().min(1).max(5).optional(),
      tags: z
        .array(z.enum(['geo', 'history', 'science']))
        .min(2)
        .max(4),
      day: z.iso.date(),
      at: z.iso.datetime(),
      email: z.email(),
      homepage: z.url(),
      id: z.uuid(),
      maybe: z.string().nullable(),
      pair: z.tuple([z.string(), z.number()]),
      flag: z.boolean(),
      kind: z.literal('qa'),
      nested: z.object({ title: z.string().max(12), count: z.number().int().gt(10).lt(13) }),
      choice: z.union([z.object({ a: z.string() }), z.number().multipleOf(5).min(1).max(50)]),
    });
    const schema = toSchema(shape);
    for (let seed = 0; seed < 200; seed++) {
      const value = sampleFromJsonSchema(schema, createRandom(seed));
      const result = shape.safeParse(value);
      expect(result.error, JSON.stringify(value)).toBeUndefined();
    }
  });

  it('is deterministic for a seed and varies across seeds', () => {
    const schema = toSchema(z.object({ question: z.string(), answer: z.string() }));
    const a = sampleFromJsonSchema(schema, createRandom(5));
    const b = sampleFromJsonSchema(schema, createRandom(5));
    expect(a).toEqual(b);
    const distinct = new Set(
      Array.from({ length: 100 }, (_, i) =>
        JSON.stringify(sampleFromJsonSchema(schema, createRandom(i))),
      ),
    );
    expect(distinct.size).toBeGreaterThanOrEqual(98);
  });

  it('writes questions for question-like fields and statements otherwise', () => {
    const schema = toSchema(z.object({ question: z.string(), answer: z.string() }));
    const value = sampleFromJsonSchema(schema, createRandom(11)) as Record<string, string>;
    expect(value.question).toMatch(/^[A-Z].*\?$/);
    expect(value.answer).toMatch(/^[A-Z].*\.$/);
    expect(sampleFromJsonSchema({ type: 'string' }, createRandom(1), { hint: 'query' })).toMatch(
      /\?$/,
    );
  });

  it('resolves $ref into $defs and definitions, including recursive ones', () => {
    const schema = {
      type: 'object',
      properties: {
        root: { $ref: '#/$defs/node' },
        legacy: { $ref: '#/definitions/item' },
      },
      required: ['root', 'legacy'],
      $defs: {
        node: {
          type: 'object',
          properties: {
            label: { type: 'string' },
            children: { type: 'array', items: { $ref: '#/$defs/node' } },
          },
          required: ['label', 'children'],
          additionalProperties: false,
        },
      },
      definitions: { item: { type: 'integer', minimum: 3, maximum: 3 } },
    };
    const Node: z.ZodType = z.lazy(() =>
      z.object({ label: z.string(), children: z.array(Node) }).strict(),
    );
    for (let seed = 0; seed < 30; seed++) {
      const value = sampleFromJsonSchema(schema, createRandom(seed)) as Record<string, unknown>;
      expect(Node.safeParse(value.root).success).toBe(true);
      expect(value.legacy).toBe(3);
    }
  });

  it('honours string length bounds, type arrays, additionalProperties and open schemas', () => {
    const random = createRandom(3);
    for (let i = 0; i < 50; i++) {
      const s = sampleFromJsonSchema({ type: 'string', minLength: 40, maxLength: 45 }, random);
      expect((s as string).length).toBeGreaterThanOrEqual(40);
      expect((s as string).length).toBeLessThanOrEqual(45);
      const t = sampleFromJsonSchema({ type: ['integer', 'boolean'] }, random);
      expect(['number', 'boolean']).toContain(typeof t);
      const map = sampleFromJsonSchema(
        { type: 'object', additionalProperties: { type: 'number' } },
        random,
      ) as Record<string, unknown>;
      expect(Object.values(map).every((v) => typeof v === 'number')).toBe(true);
    }
    expect(typeof sampleFromJsonSchema({}, random)).toBe('string');
    expect(sampleFromJsonSchema({ type: 'null' }, random)).toBeNull();
    expect(sampleFromJsonSchema({ const: { fixed: 1 } }, random)).toEqual({ fixed: 1 });
  });

  it('merges allOf parts', () => {
    const schema = {
      allOf: [
        { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
        { properties: { b: { type: 'integer' } }, required: ['b'] },
      ],
    };
    const value = sampleFromJsonSchema(schema, createRandom(2)) as Record<string, unknown>;
    expect(typeof value.a).toBe('string');
    expect(Number.isInteger(value.b)).toBe(true);
  });
});

describe('plausibleText', () => {
  it('makes the requested number of sentences, reproducibly', () => {
    const text = plausibleText(createRandom(9), 3);
    expect(text.match(/[.?]/g)).toHaveLength(3);
    expect(plausibleText(createRandom(9), 3)).toBe(text);
    expect(plausibleText(createRandom(10), 3)).not.toBe(text);
  });
});
