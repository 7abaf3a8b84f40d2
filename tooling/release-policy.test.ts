import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '..');
const run = promisify(execFile);

async function version(dir: string, pkg: string): Promise<string> {
  return (
    JSON.parse(await readFile(path.join(dir, 'packages', pkg, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
}

describe('release policy', () => {
  it('a minor release of @dgt/core does not force a major bump on the plugins that peer on it', async () => {
    // A copy of the workspace manifests and the changesets config, versioned by the real CLI.
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-release-'));
    await cp(path.join(REPO, 'package.json'), path.join(dir, 'package.json'));
    await cp(path.join(REPO, 'pnpm-workspace.yaml'), path.join(dir, 'pnpm-workspace.yaml'));
    await mkdir(path.join(dir, '.changeset'));
    await cp(path.join(REPO, '.changeset/config.json'), path.join(dir, '.changeset/config.json'));
    const packages = await readdir(path.join(REPO, 'packages'));
    for (const pkg of packages) {
      await mkdir(path.join(dir, 'packages', pkg), { recursive: true });
      await cp(
        path.join(REPO, 'packages', pkg, 'package.json'),
        path.join(dir, 'packages', pkg, 'package.json'),
      );
    }
    await symlink(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
    await writeFile(
      path.join(dir, '.changeset/core-minor.md'),
      "---\n'@dgt/core': minor\n---\n\nA new core feature.\n",
    );
    const before = Object.fromEntries(
      await Promise.all(packages.map(async (p) => [p, await version(dir, p)])),
    );

    await run(
      process.execPath,
      [path.join(REPO, 'node_modules/@changesets/cli/bin.js'), 'version'],
      { cwd: dir },
    );

    const major = (v: string) => Number(v.split('.')[0]);
    const minor = (v: string) => Number(v.split('.')[1]);
    expect(minor(await version(dir, 'core'))).toBe(minor(before.core!) + 1);
    for (const plugin of ['blocks-lm', 'blocks-validators', 'builders']) {
      const after = await version(dir, plugin);
      expect(major(after)).toBe(major(before[plugin]!));
      expect(minor(after)).toBe(minor(before[plugin]!));
    }
  }, 60_000);
});
