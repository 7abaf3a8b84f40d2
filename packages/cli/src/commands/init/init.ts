import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  type Databuilder,
  DgtError,
  inputFields,
  isDatabuilder,
  validateWithSchema,
} from '@dgt/core';
import { parse as parseYaml } from 'yaml';
import type { CliIo } from '../../io.js';
import { cliPackageRoot } from '../../package-root.js';
import { commandHelp, type ParsedFlags, parseFlags } from '../../parse-flags.js';
import { INIT_COMMAND } from '../definitions.js';
import { discoverFromFlags, flagReader } from '../plan-options.js';
import { pluginTemplate } from './plugin-template.js';
import { envPrefix, providerTemplate } from './provider-template.js';
import { taskTemplate } from './task-template.js';

/** Versions of the build tools a new plugin starts with (those DGT itself is built with). */
const TOOL_VERSIONS = {
  '@types/node': '^20.19.0',
  tsup: '8.5.1',
  typescript: '~5.9.3',
  vitest: '~4.1.12',
  zod: '^4.6.7',
};

const PACKAGE_NAME = /^(?:@([a-z0-9][a-z0-9._~-]*)\/)?([a-z0-9][a-z0-9._~-]*)$/;

/** A DGT package as this CLI sees it: its version and the folder it is installed in. */
function dgtPackage(name: string): { version: string; folder: string } | undefined {
  try {
    const file =
      name === '@dgt/cli'
        ? path.join(cliPackageRoot(), 'package.json')
        : createRequire(path.join(cliPackageRoot(), 'package.json')).resolve(
            `${name}/package.json`,
          );
    const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version: string };
    return { version, folder: realpathSync(path.dirname(file)) };
  } catch {
    return undefined;
  }
}

/**
 * The range a new package depends on a DGT package with. A CLI run from a clone of the DGT
 * repository (its packages are not under node_modules) links to that clone's packages, which
 * resolve today; an installed CLI asks for its own version from the registry.
 */
function dgtRange(name: string, root: string, fallback: string): string {
  const found = dgtPackage(name);
  if (!found) return `^${fallback}`;
  if (found.folder.split(path.sep).includes('node_modules')) return `^${found.version}`;
  return `file:${path.relative(root, found.folder).split(path.sep).join('/')}`;
}

/** Plugins peer on a DGT package across its whole 0.x line (as the first-party plugins do). */
// The compatibility policy (apps/docs/guides/compatibility.md): v1 only grows by optional
// members, so every later 0.x accepts a plugin built now; only a major may drop v1.
function peerRange(version: string): string {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  return major === 0 ? `>=0.${minor}.0 <1.0.0` : `^${major}.0.0`;
}

/** The DGT and tool version ranges a new plugin in `root` depends on: this CLI's own packages. */
function dependencyVersions(root: string): Record<string, string> {
  const cli = dgtPackage('@dgt/cli')?.version ?? '0.1.0';
  const core = dgtPackage('@dgt/core')?.version ?? cli;
  return {
    ...TOOL_VERSIONS,
    '@dgt/cli': dgtRange('@dgt/cli', root, cli),
    '@dgt/core': dgtRange('@dgt/core', root, core),
    '@dgt/core:peer': peerRange(core),
    '@dgt/blocks-lm:peer': peerRange(dgtPackage('@dgt/blocks-lm')?.version ?? core),
    '@dgt/blocks-lm': dgtRange('@dgt/blocks-lm', root, cli),
    '@dgt/testing': dgtRange('@dgt/testing', root, core),
  };
}

/** The id namespace of a plugin: `@acme/dgt-plugin` → `acme`, `acme-thing` → `acme-thing`. */
export function idPrefix(packageName: string): string {
  const [, scope, bare] = PACKAGE_NAME.exec(packageName)!;
  const stripped = bare!.replace(/^dgt-plugin-?|-?dgt-plugin$|^dgt-/, '');
  if (scope) return stripped ? `${scope}-${stripped}` : scope;
  return stripped || bare!;
}

async function writeFiles(
  root: string,
  files: Map<string, string>,
  force: boolean,
): Promise<string[]> {
  const existing = [...files.keys()].filter((file) => existsSync(path.join(root, file)));
  if (existing.length && !force) {
    throw new DgtError(
      'USAGE',
      `${root}: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}. Choose another folder with --dir, or pass --force to overwrite.`,
    );
  }
  for (const [file, text] of files) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
  return [...files.keys()];
}

async function initPlugin(name: string | undefined, flags: ParsedFlags, io: CliIo) {
  if (!name || !PACKAGE_NAME.test(name)) {
    throw new DgtError(
      'USAGE',
      `${name ? `"${name}" is not a valid npm package name` : 'dgt init plugin needs a package name'}: use lower case, digits and - . _ ~, optionally with a scope, e.g. dgt init plugin acme-thing or dgt init plugin @acme/thing.`,
    );
  }
  const bare = name.replace(/^@[^/]+\//, '');
  const root = path.resolve(io.cwd, flagReader(flags).str('dir') ?? bare);
  const prefix = idPrefix(name);
  if (flags.provider === true) return initProviderPlugin(name, prefix, root, flags, io);
  const files = pluginTemplate({
    packageName: name,
    prefix,
    versions: dependencyVersions(root),
    schemaPath: '../node_modules/@dgt/core/schemas/task.schema.json',
  });
  const written = await writeFiles(root, files, flags.force === true);
  const where = path.relative(io.cwd, root) || '.';
  io.out.write(
    [
      `Created plugin ${name} in ${where}/ (${written.length} files):`,
      `  builder ${prefix}/examples   src/builders/examples.ts + assets/examples.yaml`,
      `  block   ${prefix}/word_count src/blocks/word-count.ts`,
      '  manifest: the "dgt" field of package.json',
      '',
      'Next:',
      `  cd ${where}`,
      '  npm install',
      '  npm test                      # builds, then runs the builder against a fake OpenAI server',
      '  npx dgt run --task-paths examples/task.yaml --engine mock',
      '',
    ].join('\n'),
  );
}

/** `dgt init plugin NAME --provider`: an LM provider package contributing the block `prefix`. */
async function initProviderPlugin(
  name: string,
  prefix: string,
  root: string,
  flags: ParsedFlags,
  io: CliIo,
) {
  const files = providerTemplate({
    packageName: name,
    type: prefix,
    versions: dependencyVersions(root),
  });
  const written = await writeFiles(root, files, flags.force === true);
  const where = path.relative(io.cwd, root) || '.';
  const env = envPrefix(prefix);
  io.out.write(
    [
      `Created LM provider plugin ${name} in ${where}/ (${written.length} files):`,
      `  block ${prefix}   src/provider.ts (defineLmProvider) + src/wire.ts (the request and reply format)`,
      '  manifest: the "dgt" field of package.json',
      '',
      'Next:',
      `  cd ${where}`,
      '  npm install',
      "  npm test                      # builds, then runs DGT's provider suite against a fake server",
      `  ${env}API_KEY=… npx dgt run --task-paths task.yaml --engine ${prefix} --model MODEL --base-url URL`,
      '',
    ].join('\n'),
  );
}

/** The path of the shipped task schema, relative to `dir`, for the modeline. */
function schemaPathFrom(dir: string, cwd: string): string {
  const installed = path.join(cwd, 'node_modules/@dgt/cli/schemas/task.schema.json');
  const target = existsSync(installed)
    ? installed
    : path.join(cliPackageRoot(), 'schemas/task.schema.json');
  return path.relative(dir, target).split(path.sep).join('/');
}

/**
 * Stops before writing a task its own builder rejects (as `time_series` rejects every task: it
 * cannot run in DGT), with the builder's reason, rather than leave a file that can never validate.
 */
async function refuseRejectedScaffold(builderId: string, builder: Databuilder, text: string) {
  if (!builder.taskSchema) return;
  const checked = validateWithSchema(builder.taskSchema, parseYaml(text));
  if (checked.success) return;
  const why = checked.error.issues
    .map((issue) =>
      issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ');
  throw new DgtError('USAGE', `dgt init task --builder ${builderId}: ${why}`);
}

async function initTask(where: string | undefined, flags: ParsedFlags, io: CliIo) {
  let file = path.resolve(io.cwd, where ?? 'task.yaml');
  const isDir = await stat(file).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (isDir || !/\.ya?ml$/.test(file)) file = path.join(file, 'task.yaml');
  const builderId = flagReader(flags).str('builder') ?? 'geography_qa';
  const registry = await discoverFromFlags(flags, io);
  const builder = await registry.load('builders', builderId, '--builder');
  if (!isDatabuilder(builder)) {
    throw new DgtError('INVALID_PLUGIN', `databuilder "${builderId}" does not export a builder.`);
  }
  const fields = inputFields(builder);
  const folder = path.basename(path.dirname(file));
  const base = path.basename(file).replace(/\.ya?ml$/, '');
  const taskName = (base === 'task' ? folder : base).toLowerCase().replace(/[^a-z0-9_/-]+/g, '_');
  const text = taskTemplate({
    taskName: taskName || 'my_task',
    builder: builderId,
    kind: builder.kind,
    fields,
    ...(builder.taskExample ? { example: builder.taskExample } : {}),
    schemaPath: schemaPathFrom(path.dirname(file), io.cwd),
  });
  await refuseRejectedScaffold(builderId, builder, text);
  const extra = Object.entries(builder.taskFiles ?? {});
  await writeFiles(
    path.dirname(file),
    new Map([[path.basename(file), text], ...extra]),
    flags.force === true,
  );
  const shown = path.relative(io.cwd, file);
  const beside = extra.length ? ` and ${extra.map(([name]) => name).join(', ')} beside it` : '';
  io.out.write(
    `Created ${shown}${beside} (builder ${builderId}). Fill in the examples, then:\n  npx dgt validate ${shown}\n  npx dgt run --task-paths ${shown} --engine mock\n`,
  );
}

/** `dgt init plugin NAME [--provider]` and `dgt init task [PATH]`. */
export async function initCommand(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, INIT_COMMAND.flags, 'init', { positionals: true });
  const [what, target, ...extra] = flagReader(flags).list('_');
  if (flags.help || what === undefined) {
    io.out.write(commandHelp(INIT_COMMAND));
    return flags.help ? 0 : 2;
  }
  if (extra.length) {
    throw new DgtError('USAGE', `unexpected argument "${extra[0]}". See dgt init --help.`);
  }
  if (what === 'plugin') await initPlugin(target, flags, io);
  else if (what === 'task') await initTask(target, flags, io);
  else
    throw new DgtError(
      'USAGE',
      `dgt init ${what}: expected "plugin" or "task" (dgt init plugin NAME, dgt init task [PATH]).`,
    );
  return 0;
}
