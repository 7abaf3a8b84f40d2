import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '..');
const run = promisify(execFile);

/** The environment of a user's shell: none of the pnpm/npm settings of the test runner. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_|VITEST|NODE_OPTIONS)/i.test(key)),
  );
}

async function manifest(
  dir: string,
): Promise<{ name: string; version: string; private?: boolean }> {
  return JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
}

describe('release', () => {
  it('changeset version applies the pending changesets: @dgt/cli gets a minor bump and a changelog', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-version-'));
    await cp(path.join(REPO, 'package.json'), path.join(dir, 'package.json'));
    await cp(path.join(REPO, 'pnpm-workspace.yaml'), path.join(dir, 'pnpm-workspace.yaml'));
    await cp(path.join(REPO, '.changeset'), path.join(dir, '.changeset'), { recursive: true });
    const folders = [
      ...(await readdir(path.join(REPO, 'packages'))).map((p) => `packages/${p}`),
      'examples/acme-plugin',
    ];
    for (const folder of folders) {
      await mkdir(path.join(dir, folder), { recursive: true });
      await cp(path.join(REPO, folder, 'package.json'), path.join(dir, folder, 'package.json'));
    }
    await symlink(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
    const before = await manifest(path.join(dir, 'packages/cli'));

    await run(
      process.execPath,
      [path.join(REPO, 'node_modules/@changesets/cli/bin.js'), 'version'],
      { cwd: dir, env: cleanEnv() },
    );

    const after = await manifest(path.join(dir, 'packages/cli'));
    const [major, minor] = before.version.split('.').map(Number) as [number, number];
    expect(after.version).toBe(`${major}.${minor + 1}.0`);
    const changelog = await readFile(path.join(dir, 'packages/cli/CHANGELOG.md'), 'utf8');
    expect(changelog).toContain(`## ${after.version}`);
    expect(changelog).toContain('`dgt list`');
  }, 60_000);

  it('pnpm publish --dry-run packs every first-party package with its dist and schemas', async () => {
    const { stdout, stderr } = await run(
      'pnpm',
      ['-r', '--filter', './packages/*', 'publish', '--dry-run', '--no-git-checks'],
      { cwd: REPO, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024 },
    );
    const output = stdout + stderr;
    for (const folder of await readdir(path.join(REPO, 'packages'))) {
      const pkg = await manifest(path.join(REPO, 'packages', folder));
      if (pkg.private) continue;
      expect(output).toContain(`+ ${pkg.name}@${pkg.version}`);
    }
    // npm lists each tarball's files: the built code and the shipped schemas are in.
    expect(output).toMatch(/dist\/bin\.js/);
    expect(output).toMatch(/schemas\/task\.schema\.json/);
    expect(output).toMatch(/schemas\/builder\.schema\.json/);
    expect(output).not.toMatch(/src\/.*\.ts\n/);
  }, 90_000);
});
