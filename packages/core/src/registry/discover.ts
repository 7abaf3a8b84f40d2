import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { ContributionKind } from '../contracts/v1/manifest.js';
import { builtinDatastores } from '../datastore/builtin-datastores.js';
import { DgtError } from '../errors/dgt-error.js';
import { builtinFormatters } from '../formatter/builtin-formatters.js';
import { findLocalBuilders } from './local-builders.js';
import { pluginManifestSchema } from './manifest-schema.js';
import { packageAsset } from './package-asset.js';
import { Registry } from './registry.js';
import { resolveExport } from './resolve-export.js';

/** Where to look for plugins. */
export type DiscoverOptions = {
  /** The user's project: its package.json dependencies (and `dgt.config.*`) are searched first. */
  projectRoot: string;
  /**
   * Further package folders whose dependencies are searched after the project's (the CLI passes
   * its own folder, so its bundled first-party plugins work in an empty directory).
   */
  fallbackRoots?: readonly string[];
  /** Folders holding local builders (`--include-builder-paths`). */
  builderPaths?: readonly string[];
  /** Extra contributions built into the caller, added to core's own datastores and formatters. */
  builtins?: Partial<Record<ContributionKind, Record<string, () => unknown>>>;
};

type PackageJson = {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  exports?: unknown;
  dgt?: unknown;
};

const KINDS: readonly ContributionKind[] = ['builders', 'blocks', 'datastores', 'formatters'];
const CONFIG_FILES = ['dgt.config.json', 'dgt.config.yaml', 'dgt.config.yml'];

/**
 * Builds the registry of a run from package.json metadata, without running any plugin code:
 * every dependency of the project (then of the fallback roots) whose package.json carries a
 * valid `dgt` field contributes its ids, each bound to a lazy import of an export subpath.
 */
export async function discoverPlugins(options: DiscoverOptions): Promise<Registry> {
  const registry = new Registry();
  const builtins: Partial<Record<ContributionKind, Record<string, () => unknown>>> = {
    datastores: Object.fromEntries(
      Object.entries(builtinDatastores()).map(([id, d]) => [id, () => d]),
    ),
    formatters: Object.fromEntries(
      Object.entries(builtinFormatters()).map(([id, f]) => [id, () => f]),
    ),
  };
  for (const [kind, entries] of Object.entries(options.builtins ?? {}) as [
    ContributionKind,
    Record<string, () => unknown>,
  ][]) {
    builtins[kind] = { ...builtins[kind], ...entries };
  }
  for (const [kind, entries] of Object.entries(builtins) as [
    ContributionKind,
    Record<string, () => unknown>,
  ][]) {
    for (const [id, get] of Object.entries(entries)) {
      registry.add({
        kind,
        id,
        packageName: '@dgt/core',
        version: coreVersion(),
        load: async () => get(),
      });
    }
  }

  const seenPackages = new Set<string>();
  const projectConfig = await readProjectConfig(options.projectRoot);
  const builderPaths = [...(options.builderPaths ?? []), ...projectConfig.builderPaths];

  const roots = [options.projectRoot, ...(options.fallbackRoots ?? [])];
  for (const root of roots) {
    const manifestPath = path.join(root, 'package.json');
    const pkg = await readJson(manifestPath);
    if (!pkg) continue;
    const require = createRequire(manifestPath);
    // A plugin's own repository: its package contributes too (for its tests and examples).
    if (pkg.dgt !== undefined && pkg.name && !seenPackages.has(pkg.name)) {
      seenPackages.add(pkg.name);
      registerPackage(registry, pkg, root, manifestPath);
    }
    const listed = root === options.projectRoot ? projectConfig.plugins : [];
    const names = new Set([
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.devDependencies ?? {}),
      ...Object.keys(pkg.optionalDependencies ?? {}),
      ...listed,
    ]);
    for (const name of names) {
      if (seenPackages.has(name)) continue;
      const pluginManifest = resolvePackageJson(require, name, root);
      const plugin = pluginManifest ? await readJson(pluginManifest) : undefined;
      if (!pluginManifest || !plugin || plugin.dgt === undefined) {
        // A dependency may be uninstalled or an ordinary library; a plugin listed in dgt.config.*
        // was asked for by name, so its absence is a mistake to report.
        if (listed.includes(name)) {
          const problem = plugin
            ? 'has no "dgt" field in its package.json, so it contributes nothing'
            : 'is not installed in this project (or the folder has no package.json)';
          throw new DgtError(
            'INVALID_PLUGIN',
            `${projectConfig.file}: plugin "${name}" ${problem}. Install it or remove it from "plugins".`,
          );
        }
        continue;
      }
      seenPackages.add(plugin.name ?? name);
      registerPackage(registry, plugin, path.dirname(pluginManifest), pluginManifest);
    }
  }

  for (const folder of builderPaths) {
    for (const local of await findLocalBuilders(path.resolve(options.projectRoot, folder))) {
      registry.add({
        kind: 'builders',
        id: local.id,
        packageName: `local:${local.folder}`,
        version: 'local',
        load: local.load,
      });
    }
  }
  return registry;
}

function resolvePackageJson(
  require: NodeJS.Require,
  name: string,
  root: string,
): string | undefined {
  if (name.startsWith('.') || path.isAbsolute(name)) {
    const candidate = path.join(path.resolve(root, name), 'package.json');
    return candidate;
  }
  try {
    return require.resolve(`${name}/package.json`);
  } catch {
    return undefined;
  }
}

function registerPackage(
  registry: Registry,
  pkg: PackageJson,
  packageDir: string,
  manifestPath: string,
): void {
  const parsed = pluginManifestSchema.safeParse(pkg.dgt);
  const name = pkg.name ?? packageDir;
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DgtError(
      'INVALID_PLUGIN',
      `${manifestPath}: the "dgt" field of ${name} is invalid at ${['dgt', ...(issue?.path ?? [])].join('.')}: ${issue?.message}. Expected {"manifest": 1, "builders": {"id": "./subpath"}, "blocks": {…}}.`,
    );
  }
  for (const kind of KINDS) {
    for (const [id, subpath] of Object.entries(parsed.data[kind] ?? {})) {
      registry.add({
        kind,
        id,
        packageName: name,
        version: pkg.version ?? '0.0.0',
        target: subpath,
        load: async () => {
          const resolved = resolvePluginModule(pkg, packageDir, subpath);
          if (!resolved) {
            throw new DgtError(
              'INVALID_PLUGIN',
              `${manifestPath}: ${kind} "${id}" points at "${subpath}", which the package does not export. Add it to the package's "exports".`,
            );
          }
          const module = (await import(pathToFileURL(resolved).href)) as { default?: unknown };
          return module.default ?? module;
        },
      });
    }
  }
}

/**
 * The file behind an export subpath of a plugin, resolved with the conditions of `import()` (so
 * an `import`-only export counts); a package without `exports` falls back to Node's file lookup.
 */
function resolvePluginModule(
  pkg: PackageJson,
  packageDir: string,
  subpath: string,
): string | undefined {
  if (pkg.exports !== undefined) return resolveExport(packageDir, pkg.exports, subpath);
  try {
    return createRequire(path.join(packageDir, 'package.json')).resolve(
      path.join(packageDir, subpath),
    );
  } catch {
    return undefined;
  }
}

async function readProjectConfig(
  root: string,
): Promise<{ file?: string; plugins: string[]; builderPaths: string[] }> {
  for (const file of CONFIG_FILES) {
    const full = path.join(root, file);
    const text = await readFile(full, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    let data: unknown;
    try {
      data = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    } catch (error) {
      throw new DgtError(
        'INVALID_PLUGIN',
        `${full}: cannot parse (${(error as Error).message.split('\n')[0]}).`,
      );
    }
    if (data !== null && data !== undefined && (typeof data !== 'object' || Array.isArray(data))) {
      throw new DgtError(
        'INVALID_PLUGIN',
        `${full}: expected a mapping with "plugins" and "builder_paths" lists.`,
      );
    }
    const config = (data ?? {}) as { plugins?: unknown; builder_paths?: unknown };
    const list = (value: unknown, key: string): string[] => {
      if (value === undefined) return [];
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
      throw new DgtError(
        'INVALID_PLUGIN',
        `${full}: ${key} must be a list of package names or paths.`,
      );
    };
    return {
      file: full,
      plugins: list(config.plugins, 'plugins'),
      builderPaths: list(config.builder_paths, 'builder_paths'),
    };
  }
  return { plugins: [], builderPaths: [] };
}

async function readJson(file: string): Promise<PackageJson | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as PackageJson;
  } catch {
    throw new DgtError('INVALID_PLUGIN', `${file}: not valid JSON.`);
  }
}

let ownVersion: string | undefined;

/** The version of this copy of `@dgt/core`, which provides the built-in contributions. */
function coreVersion(): string {
  ownVersion ??= (
    JSON.parse(readFileSync(packageAsset(import.meta.url, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  return ownVersion;
}
