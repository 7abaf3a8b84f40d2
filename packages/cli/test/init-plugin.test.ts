import { execFile } from 'node:child_process';
import { mkdir, readFile, realpath, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from './run-cli.js';

const exec = promisify(execFile);

/**
 * Links what `npm install` would put in the scaffold's node_modules to the workspace's packages
 * and tools, so the test needs no registry (the packed-tarball install is tooling's test).
 */
async function linkDependencies(dir: string) {
  const links: Record<string, string> = {
    '@dgt/core': path.join(REPO, 'packages/core'),
    '@dgt/blocks-lm': path.join(REPO, 'packages/blocks-lm'),
    '@dgt/testing': path.join(REPO, 'packages/testing'),
    zod: await realpath(path.join(REPO, 'packages/core/node_modules/zod')),
    '@types/node': await realpath(path.join(REPO, 'node_modules/@types/node')),
    tsup: await realpath(path.join(REPO, 'node_modules/tsup')),
    typescript: await realpath(path.join(REPO, 'node_modules/typescript')),
    vitest: await realpath(path.join(REPO, 'node_modules/vitest')),
  };
  for (const [name, target] of Object.entries(links)) {
    const link = path.join(dir, 'node_modules', name);
    await mkdir(path.dirname(link), { recursive: true });
    await symlink(target, link, 'dir');
  }
}

/** The environment of a user's shell, without the settings of the vitest running this test. */
function cleanEnv(): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) => !/^(VITEST|npm_|pnpm_|NODE_OPTIONS|TEST|FORCE_COLOR)/i.test(key),
      ),
    ),
    NO_COLOR: '1',
  };
}

describe('dgt init plugin', () => {
  it('scaffolds a package with a dgt manifest that builds with tsup and passes its own tests', async () => {
    const dir = await tempDir();
    const created = await runCli(['init', 'plugin', 'acme-thing'], { cwd: dir });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const root = path.join(dir, 'acme-thing');
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      name: 'acme-thing',
      type: 'module',
      dgt: {
        manifest: 1,
        builders: { 'acme-thing/examples': './builders/examples' },
        blocks: { 'acme-thing/word_count': './blocks/word-count' },
      },
      peerDependencies: { '@dgt/core': '>=0.1.0 <1.0.0' },
    });
    expect(pkg.exports['./package.json']).toBe('./package.json');

    await linkDependencies(root);
    const env = cleanEnv();
    await exec(process.execPath, ['node_modules/tsup/dist/cli-default.js'], { cwd: root, env });
    const tests = await exec(process.execPath, ['node_modules/vitest/vitest.mjs', 'run'], {
      cwd: root,
      env,
    });
    expect(tests.stdout).toMatch(/Tests\s+3 passed/);

    // The built package is what dgt finds from a project that depends on it.
    const listed = await runCli(['list', '--json'], { cwd: root });
    const builders = JSON.parse(listed.stdout).builders as { id: string; package: string }[];
    expect(builders).toContainEqual({
      id: 'acme-thing/examples',
      package: 'acme-thing',
      version: '0.1.0',
    });
    const ran = await runCli(
      ['run', '--task-paths', 'examples/task.yaml', '--engine', 'mock', '--output-dir', 'out'],
      { cwd: root },
    );
    expect(ran.code).toBe(0);
  }, 90_000);

  it('scaffolds an LM provider package that builds and passes the shared provider suite', async () => {
    const dir = await tempDir();
    const created = await runCli(['init', 'plugin', '@acme/llm', '--provider'], { cwd: dir });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('ACME_LLM_API_KEY=');
    const root = path.join(dir, 'llm');
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      name: '@acme/llm',
      dgt: { manifest: 1, blocks: { 'acme-llm': './provider' } },
      peerDependencies: { '@dgt/blocks-lm': '>=0.1.0 <1.0.0', '@dgt/core': '>=0.1.0 <1.0.0' },
    });
    const source = await readFile(path.join(root, 'src/provider.ts'), 'utf8');
    expect(source).toContain("variable: 'ACME_LLM_API_KEY'");
    expect(source).not.toMatch(/__[A-Z]+__/);

    await linkDependencies(root);
    const env = cleanEnv();
    await exec(process.execPath, ['node_modules/tsup/dist/cli-default.js'], { cwd: root, env });
    await exec(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit'], {
      cwd: root,
      env,
    });
    const tests = await exec(process.execPath, ['node_modules/vitest/vitest.mjs', 'run'], {
      cwd: root,
      env,
    });
    // Its own three tests and the shared provider suite.
    expect(tests.stdout).toMatch(/Tests\s+17 passed/);
    const listed = await runCli(['list', '--json'], { cwd: root });
    const blocks = JSON.parse(listed.stdout).blocks as { id: string; package: string }[];
    expect(blocks).toContainEqual({ id: 'acme-llm', package: '@acme/llm', version: '0.1.0' });
  }, 120_000);

  it('derives the id namespace from the name and refuses to overwrite', async () => {
    const dir = await tempDir();
    const scoped = await runCli(['init', 'plugin', '@acme/dgt-plugin'], { cwd: dir });
    expect(scoped.code).toBe(0);
    const pkg = JSON.parse(await readFile(path.join(dir, 'dgt-plugin/package.json'), 'utf8'));
    expect(Object.keys(pkg.dgt.builders)).toEqual(['acme/examples']);
    const again = await runCli(['init', 'plugin', '@acme/dgt-plugin'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('pass --force to overwrite');
    const bad = await runCli(['init', 'plugin', 'Bad Name'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a valid npm package name');
  });
});
