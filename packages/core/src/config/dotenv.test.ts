import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withDotEnv } from './dotenv.js';

describe('withDotEnv', () => {
  it('adds variables from .env, and variables already set win', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-env-'));
    await writeFile(
      path.join(dir, '.env'),
      'DATA_DIR=/data\nOPENAI_API_KEY="from-file"\n# comment\n',
    );
    const env = await withDotEnv(dir, { OPENAI_API_KEY: 'from-shell' });
    expect(env.DATA_DIR).toBe('/data');
    expect(env.OPENAI_API_KEY).toBe('from-shell');
  });

  it('leaves the environment alone without a .env file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-env-'));
    const env = { A: '1' };
    expect(await withDotEnv(dir, env)).toBe(env);
  });
});
