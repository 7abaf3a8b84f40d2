import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError, positionAt } from './json-error-position.js';

describe('findJsonSyntaxError', () => {
  it('accepts what JSON.parse accepts', () => {
    for (const text of [
      '[]',
      ' {"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"]} ',
      '"s"',
      '0',
    ]) {
      expect(JSON.parse(text)).toBeDefined();
      expect(findJsonSyntaxError(text)).toBeUndefined();
    }
  });

  it('finds the line and column of the first error', () => {
    expect(findJsonSyntaxError('[\n  {"a": 1},\n  {"a": }\n]')).toEqual({ line: 3, column: 9 });
    expect(findJsonSyntaxError('[1, 2,]')).toEqual({ line: 1, column: 7 });
    expect(findJsonSyntaxError('{"a": 1}\n{"b": 2}')).toEqual({ line: 2, column: 1 });
    expect(findJsonSyntaxError('{"a": "unterminated')).toEqual({ line: 1, column: 20 });
    expect(findJsonSyntaxError("{'a': 1}")).toEqual({ line: 1, column: 2 });
    expect(findJsonSyntaxError('[01]')).toEqual({ line: 1, column: 3 });
  });

  it('maps offsets to positions', () => {
    expect(positionAt('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
