import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compatAvailable } from './compat-fixtures.js';

const missing = path.join(tmpdir(), 'dgt-no-such-compat-folder');

describe('the DiGiT compat files', () => {
  it('are used when present', () => {
    expect(compatAvailable(tmpdir(), { CI: 'true' })).toBe(true);
  });

  it('skip their tests when missing on a developer machine', () => {
    expect(compatAvailable(missing, {})).toBe(false);
    expect(compatAvailable(missing, { CI: 'false' })).toBe(false);
  });

  it('fail the tests when missing in CI', () => {
    expect(() => compatAvailable(missing, { CI: 'true' })).toThrow(/compat files are missing/);
    expect(() => compatAvailable(missing, { CI: '1' })).toThrow(missing);
  });
});
