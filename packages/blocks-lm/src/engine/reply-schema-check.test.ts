import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { checkJsonReply } from './json-schema.js';
import { compileReplyCheck } from './reply-schema-check.js';

// The same settings as the ajv instance that checks replies (json-schema.ts).
const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });

const person = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 2, maxLength: 5, description: 'annotation only' },
    age: { type: 'integer', minimum: 0, exclusiveMaximum: 150 },
    tags: { type: 'array', items: { type: 'string', pattern: '^[a-z]+$' }, maxItems: 2 },
    role: { enum: ['admin', 'user', null] },
    kind: { const: { v: [1, 2] } },
    note: { type: ['string', 'null'], format: 'email' },
  },
  required: ['name', 'age'],
  additionalProperties: false,
};

const tree = {
  $defs: {
    node: {
      type: 'object',
      properties: {
        value: { type: 'number' },
        children: { type: 'array', items: { $ref: '#/$defs/node' } },
      },
      required: ['value'],
    },
  },
  $ref: '#/$defs/node',
};

const combined = {
  anyOf: [{ type: 'string' }, { type: 'number', minimum: 10 }],
  oneOf: [{ type: 'number' }, { type: 'string', maxLength: 3 }],
  allOf: [{ not_a_keyword: 1 }, true],
};

const extras = {
  type: 'object',
  properties: { a: { type: 'boolean' } },
  additionalProperties: { type: 'number', maximum: 3 },
};

const cases: Array<[string, unknown, unknown[]]> = [
  [
    'person',
    person,
    [
      { name: 'Ann', age: 30 },
      { name: 'Ann', age: 30, tags: ['a', 'bc'], role: null, kind: { v: [1, 2] }, note: 'x' },
      { name: 'A', age: 30 },
      { name: '😀😀', age: 1 },
      { name: 'Annabel', age: 30 },
      { name: 'Ann', age: 30.5 },
      { name: 'Ann', age: -1 },
      { name: 'Ann', age: 150 },
      { name: 'Ann' },
      { name: 'Ann', age: 3, extra: true },
      { name: 'Ann', age: 3, tags: ['a', 'b', 'c'] },
      { name: 'Ann', age: 3, tags: ['A'] },
      { name: 'Ann', age: 3, role: 'root' },
      { name: 'Ann', age: 3, kind: { v: [2, 1] } },
      { name: 'Ann', age: 3, note: 5 },
      [],
      'text',
      null,
    ],
  ],
  [
    'recursive $ref',
    tree,
    [
      { value: 1 },
      { value: 1, children: [{ value: 2, children: [] }] },
      { value: 1, children: [{ children: [] }] },
      { value: 'x' },
    ],
  ],
  ['combiners', combined, ['ab', 'abcd', 12, 5, 'abcdef', true]],
  ['additionalProperties schema', extras, [{ a: true, b: 1 }, { a: true, b: 4 }, { a: 1 }, {}]],
  ['boolean schema', false, [1, null]],
  ['empty schema', {}, [1, 'x', null, { a: 1 }]],
];

describe('compileReplyCheck', () => {
  for (const [name, schema, values] of cases) {
    it(`agrees with ajv: ${name}`, () => {
      const check = compileReplyCheck(schema);
      expect(check).toBeDefined();
      const validate = ajv.compile(schema as object);
      for (const value of values) {
        expect({ value, valid: check?.(value) === undefined }).toEqual({
          value,
          valid: validate(value),
        });
      }
    });
  }

  it('says where and what is wrong', () => {
    const check = compileReplyCheck(person);
    expect(check?.({ name: 'Ann', age: 3, tags: ['ok', 'No'] })).toBe(
      '/tags/1 must match pattern "^[a-z]+$"',
    );
    expect(check?.({ name: 'Ann' })).toBe("(root) must have required property 'age'");
    expect(check?.({ name: 'Ann', age: 1, x: 1 })).toBe(
      '(root) must NOT have additional properties (found "x")',
    );
  });

  it('leaves schemas with other validation keywords to ajv', () => {
    for (const schema of [
      { type: 'array', uniqueItems: true },
      { type: 'object', patternProperties: { '^a': { type: 'string' } } },
      { items: [{ type: 'string' }] },
      { not: { type: 'string' } },
      { $ref: 'https://example.com/schema.json' },
      { type: 'decimal' },
    ]) {
      expect(compileReplyCheck(schema)).toBeUndefined();
    }
  });
});

describe('checkJsonReply', () => {
  it('checks subset schemas and delegated ones alike', () => {
    expect(checkJsonReply('{"name":"Ann","age":3}', person)).toEqual({
      ok: true,
      value: { name: 'Ann', age: 3 },
    });
    expect(checkJsonReply('{"name":"Ann"}', person)).toEqual({
      ok: false,
      reason: "the JSON does not match the schema: (root) must have required property 'age'",
    });
    const unique = { type: 'array', uniqueItems: true };
    expect(checkJsonReply('[1,2]', unique).ok).toBe(true);
    expect(checkJsonReply('[1,1]', unique).ok).toBe(false);
    expect(checkJsonReply('not json', unique)).toEqual({
      ok: false,
      reason: 'the reply is not valid JSON',
    });
  });
});
