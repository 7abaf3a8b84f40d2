import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBlockDefinition, isDatabuilder } from '../contracts/guards.js';
import { isDgtError } from '../errors/dgt-error.js';
import { discoverPlugins } from './discover.js';
import { packageAsset } from './package-asset.js';

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'dgt-discover-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh, empty folder for one test's project. */
async function freshDir(name: string): Promise<string> {
  const dir = path.join(root, `${++counter}-${name}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Writes files (relative path → text, or an object written as JSON) below a folder. */
async function writeTree(dir: string, files: Record<string, string | object>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
}

type PluginSpec = {
  version?: string;
  blocks?: Record<string, string>;
  builders?: Record<string, string>;
  /** Overrides the generated `dgt` field (or removes it with `null`). */
  dgt?: unknown;
  /** Overrides the generated `exports` field. */
  exports?: unknown;
  /** Module sources by file name; defaults to a block (or builder) module per contribution. */
  modules?: Record<string, string>;
};

/** Source of an ESM block definition module that records each import in `imports.log`. */
function blockModule(label: string): string {
  return `import { appendFileSync } from 'node:fs';
appendFileSync(new URL('./imports.log', import.meta.url), ${JSON.stringify(`${label}\n`)});
export default {
  specificationVersion: 'v1',
  kind: 'block-definition',
  role: 'transform',
  label: ${JSON.stringify(label)},
  configSchema: { '~standard': { version: 1, vendor: 'test', validate: (value) => ({ value }) } },
  create: (config) => ({ specificationVersion: 'v1', kind: 'block', name: 'b', call: async (x) => x }),
};
`;
}

/** Source of an ESM databuilder module that records each import in `imports.log`. */
function builderModule(label: string): string {
  return `import { appendFileSync } from 'node:fs';
appendFileSync(new URL('./imports.log', import.meta.url), ${JSON.stringify(`${label}\n`)});
export default {
  specificationVersion: 'v1',
  kind: 'generation',
  name: ${JSON.stringify(label)},
  call: async () => [],
};
`;
}

/** Installs a plugin package at `<dir>/node_modules/<name>` (or at `dir` itself with `at`). */
async function installPlugin(
  dir: string,
  name: string,
  spec: PluginSpec = {},
  at = path.join(dir, 'node_modules', name),
): Promise<string> {
  const exportsField: Record<string, string> = { './package.json': './package.json' };
  const modules: Record<string, string> = {};
  for (const [kind, entries] of [
    ['blocks', spec.blocks],
    ['builders', spec.builders],
  ] as const) {
    for (const [id, subpath] of Object.entries(entries ?? {})) {
      const file = `${subpath.slice(2).replaceAll('/', '-')}.js`;
      exportsField[subpath] = `./${file}`;
      modules[file] = kind === 'blocks' ? blockModule(id) : builderModule(id);
    }
  }
  const dgt =
    spec.dgt !== undefined
      ? spec.dgt
      : {
          manifest: 1,
          ...(spec.blocks && { blocks: spec.blocks }),
          ...(spec.builders && { builders: spec.builders }),
        };
  await writeTree(at, {
    'package.json': {
      name,
      version: spec.version ?? '1.0.0',
      type: 'module',
      ...(spec.exports !== null && { exports: spec.exports ?? exportsField }),
      ...(dgt !== null && { dgt }),
    },
    ...modules,
    ...spec.modules,
  });
  return at;
}

async function writeProject(dir: string, pkg: object): Promise<void> {
  await writeTree(dir, {
    'package.json': { name: 'my-project', version: '0.0.1', private: true, ...pkg },
  });
}

async function dgtErrorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isDgtError(error)) return error;
    throw error;
  }
  throw new Error('expected a DgtError');
}

async function importsLog(packageDir: string): Promise<string[]> {
  const text = await readFile(path.join(packageDir, 'imports.log'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean);
}

function summary(list: { kind: string; id: string; packageName: string; version: string }[]) {
  return list.map(({ kind, id, packageName, version }) => ({ kind, id, packageName, version }));
}

describe('discoverPlugins', () => {
  it('registers the builders and blocks declared by the project dependencies and devDependencies', async () => {
    const project = await freshDir('deps');
    await writeProject(project, {
      dependencies: { '@acme/dgt-plugin': '^1.2.0' },
      devDependencies: { 'dev-plugin': '*' },
    });
    await installPlugin(project, '@acme/dgt-plugin', {
      version: '1.2.3',
      blocks: { 'acme/judge': './blocks/judge' },
      builders: { 'acme/qa': './builders/qa' },
    });
    await installPlugin(project, 'dev-plugin', {
      version: '0.4.0',
      blocks: { 'dev/echo': './echo' },
    });

    const registry = await discoverPlugins({ projectRoot: project });

    expect(summary(registry.list('blocks'))).toEqual([
      { kind: 'blocks', id: 'acme/judge', packageName: '@acme/dgt-plugin', version: '1.2.3' },
      { kind: 'blocks', id: 'dev/echo', packageName: 'dev-plugin', version: '0.4.0' },
    ]);
    expect(summary(registry.list('builders'))).toEqual([
      { kind: 'builders', id: 'acme/qa', packageName: '@acme/dgt-plugin', version: '1.2.3' },
    ]);
    const judge = await registry.load('blocks', 'acme/judge', 'task.yaml');
    expect(isBlockDefinition(judge)).toBe(true);
    expect(judge).toMatchObject({ label: 'acme/judge' });
    const qa = await registry.load('builders', 'acme/qa', 'task.yaml');
    expect(isDatabuilder(qa)).toBe(true);
    expect(qa).toMatchObject({ name: 'acme/qa' });
  });

  it('resolves dependencies from the project root, not from where core is installed', async () => {
    const project = await freshDir('project-root');
    await writeProject(project, { dependencies: { zod: '*', 'here-only': '*' } });
    // A package with the name of one core depends on: the project's copy is the one read.
    await installPlugin(project, 'zod', { version: '99.0.0', blocks: { 'fake/zod': './z' } });
    await installPlugin(project, 'here-only', { blocks: { 'here/only': './h' } });

    const registry = await discoverPlugins({ projectRoot: project });

    expect(registry.find('blocks', 'fake/zod')).toMatchObject({
      packageName: 'zod',
      version: '99.0.0',
    });
    expect(registry.find('blocks', 'here/only')?.packageName).toBe('here-only');
  });

  it('never runs plugin code while listing; load imports a module once and caches it', async () => {
    const project = await freshDir('lazy');
    await writeProject(project, { dependencies: { lazy: '*', explosive: '*' } });
    const lazyDir = await installPlugin(project, 'lazy', { blocks: { 'lazy/block': './block' } });
    await installPlugin(project, 'explosive', {
      blocks: { 'boom/block': './boom' },
      modules: { 'boom.js': "throw new Error('explosive plugin was imported');\n" },
    });

    const registry = await discoverPlugins({ projectRoot: project });
    expect(registry.list().map((c) => c.id)).toEqual(
      expect.arrayContaining(['lazy/block', 'boom/block']),
    );
    expect(await importsLog(lazyDir)).toEqual([]);

    const first = await registry.load('blocks', 'lazy/block', 'task.yaml');
    const second = await registry.load('blocks', 'lazy/block', 'other.yaml');
    expect(second).toBe(first);
    expect(await importsLog(lazyDir)).toEqual(['lazy/block']);

    // The faulty module only fails the task that uses it, and only when it is used.
    await expect(registry.load('blocks', 'boom/block', 'task.yaml')).rejects.toThrow(
      'explosive plugin was imported',
    );
  });

  it('ignores dependencies without a dgt field and dependencies that are not installed', async () => {
    const project = await freshDir('ignored');
    await writeProject(project, {
      dependencies: { 'plain-lib': '*', 'not-installed': '*', real: '*' },
      optionalDependencies: { 'optional-missing': '*' },
    });
    await installPlugin(project, 'plain-lib', { dgt: null });
    await installPlugin(project, 'real', { blocks: { 'real/block': './b' } });

    const registry = await discoverPlugins({ projectRoot: project });

    const fromPlugins = registry.list().filter((c) => c.packageName !== '@dgt/core');
    expect(summary(fromPlugins)).toEqual([
      { kind: 'blocks', id: 'real/block', packageName: 'real', version: '1.0.0' },
    ]);
  });

  it.each([
    ['a wrong manifest version', { manifest: 2, blocks: { 'x/y': './y' } }, 'dgt.manifest'],
    [
      'a subpath not starting with ./',
      { manifest: 1, blocks: { 'x/y': 'blocks/y' } },
      'dgt.blocks.x/y',
    ],
    ['a non-object field', 'yes please', 'dgt'],
  ])(
    'rejects a plugin whose dgt field has %s, naming the package.json and the package',
    async (_, dgt, where) => {
      const project = await freshDir('invalid');
      await writeProject(project, { dependencies: { 'bad-plugin': '*' } });
      const dir = await installPlugin(project, 'bad-plugin', { dgt });

      const error = await dgtErrorOf(discoverPlugins({ projectRoot: project }));

      expect(error.code).toBe('INVALID_PLUGIN');
      expect(error.message).toContain(path.join(dir, 'package.json'));
      expect(error.message).toContain('bad-plugin');
      expect(error.message).toContain(where);
    },
  );

  it('rejects two packages claiming one id, naming both packages and versions', async () => {
    const project = await freshDir('duplicate');
    await writeProject(project, { dependencies: { 'first-plugin': '*', 'second-plugin': '*' } });
    await installPlugin(project, 'first-plugin', {
      version: '1.0.0',
      builders: { 'shared/qa': './qa' },
    });
    await installPlugin(project, 'second-plugin', {
      version: '2.5.0',
      builders: { 'shared/qa': './b/qa' },
    });

    const error = await dgtErrorOf(discoverPlugins({ projectRoot: project }));

    expect(error.code).toBe('DUPLICATE_PLUGIN_ID');
    expect(error.message).toContain('"shared/qa"');
    expect(error.message).toContain('first-plugin@1.0.0');
    expect(error.message).toContain('second-plugin@2.5.0');
  });

  it('rejects a plugin claiming the id of a core datastore', async () => {
    const project = await freshDir('builtin-clash');
    await writeProject(project, { dependencies: { 'jsonl-plugin': '*' } });
    await installPlugin(project, 'jsonl-plugin', {
      dgt: { manifest: 1, datastores: { jsonl: './jsonl' } },
      exports: { './package.json': './package.json', './jsonl': './jsonl.js' },
    });

    const error = await dgtErrorOf(discoverPlugins({ projectRoot: project }));

    expect(error.code).toBe('DUPLICATE_PLUGIN_ID');
    expect(error.message).toContain('@dgt/core');
    expect(error.message).toContain('jsonl-plugin@1.0.0');
  });

  it("registers the project's own dgt field, for a plugin developed in its own repository", async () => {
    const project = await freshDir('self');
    await installPlugin(
      project,
      'my-own-plugin',
      { version: '0.9.0', blocks: { 'own/block': './own' } },
      project,
    );

    const registry = await discoverPlugins({ projectRoot: project });

    expect(registry.find('blocks', 'own/block')).toMatchObject({
      packageName: 'my-own-plugin',
      version: '0.9.0',
    });
    expect(await registry.load('blocks', 'own/block', 'task.yaml')).toMatchObject({
      label: 'own/block',
    });
  });

  it('uses fallback roots for packages the project lacks, and prefers the project copy', async () => {
    const project = await freshDir('fallback-project');
    const cli = await freshDir('fallback-cli');
    await writeProject(project, { dependencies: { shared: '^2' } });
    await installPlugin(project, 'shared', { version: '2.0.0', builders: { 'shared/qa': './qa' } });
    await writeTree(cli, {
      'package.json': {
        name: 'fake-cli',
        version: '1.0.0',
        dependencies: { shared: '^1', bundled: '^1' },
      },
    });
    await installPlugin(cli, 'shared', { version: '1.0.0', builders: { 'shared/qa': './qa' } });
    const bundledDir = await installPlugin(cli, 'bundled', {
      version: '1.1.0',
      blocks: { 'bundled/b': './b' },
    });

    const registry = await discoverPlugins({ projectRoot: project, fallbackRoots: [cli] });

    expect(registry.find('builders', 'shared/qa')).toMatchObject({
      packageName: 'shared',
      version: '2.0.0',
    });
    expect(registry.find('blocks', 'bundled/b')).toMatchObject({
      packageName: 'bundled',
      version: '1.1.0',
    });
    await registry.load('blocks', 'bundled/b', 'task.yaml');
    expect(await importsLog(bundledDir)).toEqual(['bundled/b']);
  });

  it('works in a folder without package.json, from the fallback roots alone', async () => {
    const empty = await freshDir('empty');
    const cli = await freshDir('empty-cli');
    await writeTree(cli, { 'package.json': { name: 'fake-cli', dependencies: { bundled: '^1' } } });
    await installPlugin(cli, 'bundled', { blocks: { 'bundled/b': './b' } });

    const registry = await discoverPlugins({ projectRoot: empty, fallbackRoots: [cli] });

    expect(registry.find('blocks', 'bundled/b')?.packageName).toBe('bundled');
  });

  it('rejects at load a declared subpath the package does not export, naming the id and subpath', async () => {
    const project = await freshDir('unexported');
    await writeProject(project, { dependencies: { leaky: '*' } });
    await installPlugin(project, 'leaky', {
      blocks: { 'leaky/block': './blocks/missing' },
      exports: { './package.json': './package.json' },
    });

    const registry = await discoverPlugins({ projectRoot: project });
    const error = await dgtErrorOf(registry.load('blocks', 'leaky/block', 'task.yaml'));

    expect(error.code).toBe('INVALID_PLUGIN');
    expect(error.message).toContain('"leaky/block"');
    expect(error.message).toContain('./blocks/missing');
  });

  it('loads a subpath exported only under the "import" condition', async () => {
    const project = await freshDir('import-only');
    await writeProject(project, { dependencies: { esm: '*' } });
    await installPlugin(project, 'esm', {
      blocks: { 'esm/block': './block' },
      exports: {
        './package.json': './package.json',
        './block': { types: './block.d.ts', import: './block.js' },
      },
      modules: { 'block.js': blockModule('esm/block') },
    });

    const registry = await discoverPlugins({ projectRoot: project });

    expect(await registry.load('blocks', 'esm/block', 'task.yaml')).toMatchObject({
      label: 'esm/block',
    });
  });

  it('loads subpaths behind "*" export patterns, the import target of dual packages, and packages without exports', async () => {
    const project = await freshDir('export-shapes');
    await writeProject(project, { dependencies: { patterned: '*', dual: '*', legacy: '*' } });
    await installPlugin(project, 'patterned', {
      blocks: { 'p/judge': './blocks/judge' },
      exports: {
        './package.json': './package.json',
        './blocks/*': { import: './dist/blocks/*.js' },
      },
      modules: { 'dist/blocks/judge.js': blockModule('p/judge') },
    });
    await installPlugin(project, 'dual', {
      blocks: { 'dual/b': './b' },
      exports: {
        './package.json': './package.json',
        './b': { require: './b.cjs', import: './b.js' },
      },
      modules: {
        'b.cjs': "module.exports = { label: 'the CommonJS copy' };\n",
        'b.js': blockModule('dual/b'),
      },
    });
    await installPlugin(project, 'legacy', {
      blocks: { 'legacy/b': './lib/b.js' },
      exports: null,
      modules: { 'lib/b.js': blockModule('legacy/b') },
    });

    const registry = await discoverPlugins({ projectRoot: project });

    expect(await registry.load('blocks', 'p/judge', 't.yaml')).toMatchObject({ label: 'p/judge' });
    expect(await registry.load('blocks', 'dual/b', 't.yaml')).toMatchObject({ label: 'dual/b' });
    expect(await registry.load('blocks', 'legacy/b', 't.yaml')).toMatchObject({
      label: 'legacy/b',
    });
  });

  it('always registers the core datastores and formatter as @dgt/core', async () => {
    const empty = await freshDir('builtins');

    const registry = await discoverPlugins({ projectRoot: empty });

    const datastores = registry.list('datastores');
    expect(datastores.map((c) => c.id)).toEqual(
      expect.arrayContaining(['default', 'jsonl', 'json', 'yaml', 'csv', 'text', 'markdown']),
    );
    expect(datastores.every((c) => c.packageName === '@dgt/core')).toBe(true);
    expect(registry.find('formatters', 'native')?.packageName).toBe('@dgt/core');
    expect(await registry.load('formatters', 'native', 'task.yaml')).toMatchObject({
      specificationVersion: 'v1',
      kind: 'formatter-definition',
    });
  });

  it('adds builtins passed by the caller beside the core ones', async () => {
    const empty = await freshDir('extra-builtins');
    const builder = {
      specificationVersion: 'v1',
      kind: 'generation',
      name: 'cli/qa',
      call: async () => [],
    };

    const registry = await discoverPlugins({
      projectRoot: empty,
      builtins: { builders: { 'cli/qa': () => builder } },
    });

    expect(await registry.load('builders', 'cli/qa', 'task.yaml')).toBe(builder);
    expect(registry.find('datastores', 'jsonl')).toBeDefined();
  });

  it('suggests the nearest id for an unknown builder or block type', async () => {
    const project = await freshDir('unknown');
    await writeProject(project, { dependencies: { acme: '*' } });
    await installPlugin(project, 'acme', {
      blocks: { 'acme/judge': './judge' },
      builders: { 'acme/geography-qa': './geo' },
    });
    const registry = await discoverPlugins({ projectRoot: project });

    const builder = await dgtErrorOf(
      registry.load('builders', 'acme/geografy-qa', 'tasks/geo.yaml'),
    );
    expect(builder.code).toBe('UNKNOWN_BUILDER');
    expect(builder.message).toContain('tasks/geo.yaml');
    expect(builder.message).toContain('Did you mean "acme/geography-qa"?');

    const block = await dgtErrorOf(registry.load('blocks', 'acme/judg', 'tasks/geo.yaml'));
    expect(block.code).toBe('UNKNOWN_BLOCK_TYPE');
    expect(block.message).toContain('Did you mean "acme/judge"?');
  });
});

describe('dgt.config in the project', () => {
  it('honours plugins (package names and folders) and builder_paths from dgt.config.json', async () => {
    const project = await freshDir('config-json');
    await writeProject(project, {});
    // Installed, but not a dependency: only the config brings it in.
    await installPlugin(project, 'extra', { blocks: { 'extra/block': './b' } });
    await installPlugin(
      project,
      'folder-plugin',
      { blocks: { 'folder/block': './b' } },
      path.join(project, 'plugins', 'mine'),
    );
    await writeTree(project, {
      'dgt.config.json': { plugins: ['extra', './plugins/mine'], builder_paths: ['my-builders'] },
      'my-builders/geo/geo.yaml': 'name: local/geo\nblocks:\n  - name: gen\n    type: acme/judge\n',
      'my-builders/geo/index.mjs': builderModule('local/geo'),
    });

    const registry = await discoverPlugins({ projectRoot: project });

    expect(registry.find('blocks', 'extra/block')?.packageName).toBe('extra');
    expect(registry.find('blocks', 'folder/block')?.packageName).toBe('folder-plugin');
    expect(await registry.load('blocks', 'folder/block', 'task.yaml')).toMatchObject({
      label: 'folder/block',
    });
    expect(registry.find('builders', 'local/geo')?.packageName).toBe(
      `local:${path.join(project, 'my-builders', 'geo')}`,
    );
  });

  it('honours dgt.config.yaml', async () => {
    const project = await freshDir('config-yaml');
    await writeProject(project, {});
    await installPlugin(project, 'extra', { builders: { 'extra/qa': './qa' } });
    await writeTree(project, {
      'dgt.config.yaml': 'plugins:\n  - extra\nbuilder_paths:\n  - builders\n',
      'builders/x.yaml': 'name: local/x\nblocks: []\n',
      'builders/index.js': builderModule('local/x'),
    });

    const registry = await discoverPlugins({ projectRoot: project });

    expect(registry.find('builders', 'extra/qa')?.packageName).toBe('extra');
    expect(registry.find('builders', 'local/x')).toBeDefined();
  });

  it.each([
    ['dgt.config.json', '{ "plugins": ['],
    ['dgt.config.yaml', 'plugins: [unclosed\n'],
    ['dgt.config.json', '{ "plugins": "extra" }'],
    ['dgt.config.yaml', 'builder_paths:\n  - 3\n'],
    ['dgt.config.yaml', '- extra\n'],
  ])('rejects a malformed %s (%j), naming the file', async (file, text) => {
    const project = await freshDir('config-bad');
    await writeProject(project, {});
    await writeTree(project, { [file]: text });

    const error = await dgtErrorOf(discoverPlugins({ projectRoot: project }));

    expect(error.code).toBe('INVALID_PLUGIN');
    expect(error.message).toContain(path.join(project, file));
  });

  it.each([
    ['a package that is not installed', 'nowhere-plugin'],
    ['a folder that does not exist', './plugins/nowhere'],
    ['a package without a dgt field', 'plain-lib'],
  ])(
    'rejects a listed plugin that is %s, naming the config file and the entry',
    async (_, entry) => {
      const project = await freshDir('config-missing');
      await writeProject(project, {});
      await installPlugin(project, 'plain-lib', { dgt: null });
      await writeTree(project, { 'dgt.config.json': { plugins: [entry] } });

      const error = await dgtErrorOf(discoverPlugins({ projectRoot: project }));

      expect(error.code).toBe('INVALID_PLUGIN');
      expect(error.message).toContain(path.join(project, 'dgt.config.json'));
      expect(error.message).toContain(entry);
    },
  );
});

describe('local builder folders', () => {
  it('registers builders found in builderPaths, loading the code beside the YAML', async () => {
    const project = await freshDir('local');
    const geoDir = path.join(project, 'builders', 'nested', 'geo');
    await writeTree(project, {
      'builders/nested/geo/geo.yaml':
        'name: local/geo\nblocks:\n  - name: gen\n    type: acme/judge\n',
      'builders/nested/geo/index.mjs': builderModule('local/geo'),
      'builders/nested/geo/tasks/task.yaml': 'task_name: t\ndata_builder: local/geo\n',
      'builders/data/seed.yaml': '- question: a\n- question: b\n',
      'builders/broken.yaml': 'name: [unclosed\n',
    });

    const registry = await discoverPlugins({ projectRoot: project, builderPaths: ['builders'] });

    const builders = registry.list('builders');
    expect(summary(builders)).toEqual([
      { kind: 'builders', id: 'local/geo', packageName: `local:${geoDir}`, version: 'local' },
    ]);
    const builder = await registry.load('builders', 'local/geo', 'task.yaml');
    expect(isDatabuilder(builder)).toBe(true);
    expect(builder).toMatchObject({ name: 'local/geo', config: path.join(geoDir, 'geo.yaml') });
  });

  it('does not import local builder code until it is loaded', async () => {
    const project = await freshDir('local-lazy');
    await writeTree(project, {
      'b/x.yaml': 'name: local/x\nblocks: []\n',
      'b/index.mjs': "throw new Error('local builder was imported');\n",
    });

    const registry = await discoverPlugins({
      projectRoot: project,
      builderPaths: [path.join(project, 'b')],
    });

    expect(registry.find('builders', 'local/x')).toBeDefined();
    expect(existsSync(path.join(project, 'b', 'imports.log'))).toBe(false);
    await expect(registry.load('builders', 'local/x', 'task.yaml')).rejects.toThrow(
      'local builder was imported',
    );
  });

  it('rejects a builder folder that does not exist', async () => {
    const project = await freshDir('local-missing');

    const error = await dgtErrorOf(
      discoverPlugins({ projectRoot: project, builderPaths: ['nope'] }),
    );

    expect(error.message).toContain(path.join(project, 'nope'));
  });
});

describe('packageAsset', () => {
  it("resolves a path against the calling module's package root", () => {
    const expected = path.resolve(import.meta.dirname, '..', '..', 'package.json');
    expect(packageAsset(import.meta.url, 'package.json')).toBe(expected);
    expect(existsSync(expected)).toBe(true);
  });
});
