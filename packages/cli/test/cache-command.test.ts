import path from 'node:path';
import { type FakeLmServer, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  REPO,
  readJsonl,
  runCli,
  tempDir,
  withoutModule,
  writeGeneratorOverride,
} from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const FINAL = 'out/examples/geography_qa/final_data.jsonl';

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** `dgt cache …` in `dir`, whose request cache is `dir/.dgt-cache` (set by run-cli). */
const cache = (dir: string, args: string[], env: Record<string, string> = {}) =>
  runCli(['cache', ...args], { cwd: dir, env });

async function cacheJson(dir: string, args: string[]) {
  const result = await cache(dir, [...args, '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

/** Runs the geography example against the fake OpenAI server, through the request cache. */
async function geographyRun(dir: string, extra: string[] = []) {
  const result = await runCli(
    [
      'run',
      '--task-paths',
      GEOGRAPHY,
      '--config-path',
      'override.yaml',
      '--output-dir',
      'out',
      '--num-outputs-to-generate',
      '6',
      ...extra,
    ],
    { cwd: dir, env: { OPENAI_API_KEY: 'sk-test' } },
  );
  expect(result.stderr).not.toMatch(/error|warning/i);
  expect(result.code).toBe(0);
  expect(await readJsonl(path.join(dir, FINAL))).toHaveLength(6);
  return result;
}

describe('dgt cache info', () => {
  it('reports a missing cache as "no cache yet", not as an error', async () => {
    const dir = await tempDir();
    const result = await cache(dir, ['info']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(
      `no cache yet at ${path.join(dir, '.dgt-cache', 'lm-cache.sqlite')}`,
    );
    expect(await cacheJson(dir, ['info'])).toMatchObject({ exists: false, entries: 0 });
  });

  it('finds the cache where runs put it: --cache-dir, else DGT_CACHE_DIR, else XDG_CACHE_HOME/dgt', async () => {
    const dir = await tempDir();
    const where = async (args: string[], env: Record<string, string>) =>
      JSON.parse((await cache(dir, ['info', '--json', ...args], env)).stdout).path;
    expect(await where(['--cache-dir', 'mine'], {})).toBe(
      path.join(dir, 'mine', 'lm-cache.sqlite'),
    );
    expect(await where([], { DGT_CACHE_DIR: '', XDG_CACHE_HOME: path.join(dir, 'xdg') })).toBe(
      path.join(dir, 'xdg', 'dgt', 'lm-cache.sqlite'),
    );
  });

  it('rejects the filters of clear', async () => {
    const dir = await tempDir();
    const result = await cache(dir, ['info', '--model', 'm']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--model belongs to dgt cache clear');
  });
});

describe('dgt cache after a run', () => {
  it('counts one entry per LM call, clears by age and model, and a rerun calls the model again', async () => {
    const dir = await tempDir();
    const server = await startFakeOpenAI();
    servers.push(server);
    await writeGeneratorOverride(dir, 'openai', server.baseURL);

    await geographyRun(dir);
    const calls = server.stats.completed;
    expect(calls).toBeGreaterThanOrEqual(6);
    expect(server.stats.requests).toBe(calls);

    const info = await cacheJson(dir, ['info']);
    expect(info).toMatchObject({
      exists: true,
      entries: calls,
      models: [{ provider: 'openai', model: 'fake-model', entries: calls }],
    });
    expect(info.bytesOnDisk).toBeGreaterThan(0);
    expect(Date.parse(info.newest)).toBeGreaterThanOrEqual(Date.parse(info.oldest));
    const text = await cache(dir, ['info']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Entries:       ${calls}, written `);
    expect(text.stdout).toMatch(/openai\s+fake-model\s+\d+/);

    // Answered from the cache: a restarted run makes no call.
    await geographyRun(dir, ['--restart']);
    expect(server.stats.requests).toBe(calls);

    const young = await cache(dir, ['clear', '--older-than', '1d']);
    expect(young.code).toBe(0);
    expect(young.stdout).toContain(`Removed 0 entries`);
    expect(young.stdout).toContain(`${calls} left`);
    expect((await cacheJson(dir, ['info'])).entries).toBe(calls);

    const cleared = await cacheJson(dir, ['clear', '--model', 'fake-model']);
    expect(cleared).toMatchObject({ removed: calls, remaining: 0, compacted: true });
    expect(cleared.bytesAfter).toBeLessThanOrEqual(cleared.bytesBefore);
    expect(await cacheJson(dir, ['info'])).toMatchObject({ exists: true, entries: 0, models: [] });

    await geographyRun(dir, ['--restart']);
    expect(server.stats.requests).toBeGreaterThanOrEqual(calls + 6);
    expect((await cacheJson(dir, ['info'])).entries).toBe(server.stats.completed - calls);
  });

  it('prints what was removed and reclaimed, and what the cache holds when nothing matched', async () => {
    const dir = await tempDir();
    const server = await startFakeOpenAI();
    servers.push(server);
    await writeGeneratorOverride(dir, 'openai', server.baseURL);
    await geographyRun(dir);

    const typo = await cache(dir, ['clear', '--model', 'fake-modle']);
    expect(typo.code).toBe(0);
    expect(typo.stdout).toContain('Removed 0 entries');
    expect(typo.stdout).toContain('No entry matched. The cache holds:');
    expect(typo.stdout).toMatch(/openai\s+fake-model/);

    const all = await cache(dir, ['clear', '--all']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(
      new RegExp(`^Removed ${server.stats.completed} entries from .*; 0 left\\. Reclaimed `),
    );
  });
});

describe('dgt cache clear refuses to guess', () => {
  it('exits 2 without a filter or --all, and leaves the cache alone', async () => {
    const dir = await tempDir();
    const server = await startFakeOpenAI();
    servers.push(server);
    await writeGeneratorOverride(dir, 'openai', server.baseURL);
    await geographyRun(dir);

    const bare = await cache(dir, ['clear']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('needs a filter');
    expect(bare.stderr).toContain('--all');
    expect(bare.stderr).not.toMatch(/\n\s+at /);

    // A misspelt filter flag is a usage error too, never "no filter, so everything".
    const misspelt = await cache(dir, ['clear', '--modle', 'fake-model']);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toContain('unknown flag --modle');

    const mixed = await cache(dir, ['clear', '--all', '--provider', 'openai']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('cannot be combined with --provider');

    const age = await cache(dir, ['clear', '--older-than', '30 days']);
    expect(age.code).toBe(2);
    expect(age.stderr).toContain('--older-than 30 days: expected a number and a unit');

    expect((await cacheJson(dir, ['info'])).entries).toBe(server.stats.completed);
  });
});

describe('dgt cache without better-sqlite3', () => {
  it('fails with the engine’s MISSING_DEPENDENCY message, exit 2 and no stack trace', async () => {
    const dir = await tempDir();
    const env = await withoutModule(dir, 'better-sqlite3');
    for (const args of [['info'], ['clear', '--all']]) {
      const result = await cache(dir, args, env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        'dgt: error: The LM request cache needs the native module better-sqlite3',
      );
      // Advice for runs (turn the cache off) does not fit a command that manages the cache.
      expect(result.stderr).toContain('Reinstall it (pnpm rebuild better-sqlite3).');
      expect(result.stderr).not.toContain('--no-cache');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
