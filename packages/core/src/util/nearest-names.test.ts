import { describe, expect, it } from 'vitest';
import { nearestNames } from './nearest-names.js';

describe('nearestNames', () => {
  const known = ['acme/geography-qa', 'acme/judge', 'jsonl', 'json', 'yaml', 'csv'];

  it('suggests ids within a small edit distance, best first', () => {
    expect(nearestNames('acme/geografy-qa', known)).toEqual(['acme/geography-qa']);
    expect(nearestNames('jsnl', known)).toEqual(['jsonl', 'json']);
  });

  it('treats a prefix or part of an id as close, ignoring case', () => {
    expect(nearestNames('JUDGE', known)).toEqual(['acme/judge']);
    expect(nearestNames('geography-qa', known)[0]).toBe('acme/geography-qa');
  });

  it('suggests nothing when no id is close', () => {
    expect(nearestNames('postgresql-cluster', known)).toEqual([]);
    expect(nearestNames('anything', [])).toEqual([]);
  });

  it('returns at most `count` names', () => {
    expect(nearestNames('a', ['ab', 'ac', 'ad', 'ae'], 2)).toEqual(['ab', 'ac']);
  });
});
