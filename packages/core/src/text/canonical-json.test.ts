import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined members and matches JSON otherwise', () => {
    const value = {
      z: [3, { b: 1, a: undefined, é: 'x', B: null }, 'q"uote'],
      a: { y: true, x: 1.5 },
      u: undefined,
      e: {},
      l: [],
    };
    expect(canonicalJson(value)).toBe(
      '{"a":{"x":1.5,"y":true},"e":{},"l":[],"z":[3,{"B":null,"b":1,"é":"x"},"q\\"uote"]}',
    );
    expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
    expect(canonicalJson({ b: 1, a: 2 })).toBe(canonicalJson({ a: 2, b: 1 }));
    expect([canonicalJson(undefined), canonicalJson('s'), canonicalJson([undefined])]).toEqual([
      'null',
      '"s"',
      '[null]',
    ]);
  });
});
