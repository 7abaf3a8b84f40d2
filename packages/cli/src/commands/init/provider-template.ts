import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cliPackageRoot } from '../../package-root.js';
import { buildFiles, devDependenciesOf, exportOf } from './plugin-template.js';

/** What a scaffolded provider plugin is called, and the versions it depends on. */
export type ProviderTemplateInput = {
  /** The npm package name (`acme-llm`, `@acme/llm`). */
  packageName: string;
  /** The block type it contributes (`acme-llm`), also its provider name in events. */
  type: string;
  /** Version ranges of the DGT packages and tools, by package name. */
  versions: Record<string, string>;
};

/** The prefix of the provider's environment variables: `acme-llm` → `ACME_LLM_`. */
export function envPrefix(type: string): string {
  return `${type.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_`;
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesUnder(dir, path.join(prefix, entry.name))
      : [path.join(prefix, entry.name)],
  );
}

/**
 * The files of a new LM provider plugin, by relative path: a `dgt` manifest naming one block
 * type, the provider written with `defineLmProvider` (its wire mapping in `src/wire.ts`), the
 * build setup, and tests running DGT's shared provider suite against a fake server. The sources
 * come from the CLI's `templates/provider/`, with the names filled in.
 */
export function providerTemplate(input: ProviderTemplateInput): Map<string, string> {
  const { packageName, type, versions } = input;
  const files = new Map<string, string>();
  const pkg = {
    name: packageName,
    version: '0.1.0',
    description: `A DGT LM provider plugin: the ${type} block.`,
    license: 'Apache-2.0',
    keywords: ['dgt', 'dgt-plugin', 'dgt-provider'],
    type: 'module',
    exports: {
      '.': exportOf('index'),
      './provider': exportOf('provider'),
      './package.json': './package.json',
    },
    main: './dist/index.js',
    types: './dist/index.d.ts',
    files: ['dist'],
    sideEffects: false,
    engines: { node: '>=20.19' },
    dgt: { manifest: 1, blocks: { [type]: './provider' } },
    scripts: {
      build: 'tsup',
      test: 'tsup && vitest run',
      typecheck: 'tsc --noEmit',
    },
    peerDependencies: {
      // The engine lives in @dgt/blocks-lm: one copy per project, shared with the built-in blocks.
      '@dgt/blocks-lm': versions['@dgt/blocks-lm:peer'],
      '@dgt/core': versions['@dgt/core:peer'],
      zod: '^4.0.0',
    },
    devDependencies: devDependenciesOf(versions),
  };
  files.set('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
  for (const [file, text] of buildFiles({ index: 'src/index.ts', provider: 'src/provider.ts' }))
    files.set(file, text);
  const templates = path.join(cliPackageRoot(), 'templates/provider');
  for (const file of filesUnder(templates)) {
    const text = readFileSync(path.join(templates, file), 'utf8')
      .replaceAll('__PACKAGE__', packageName)
      .replaceAll('__TYPE__', type)
      .replaceAll('__ENV__', envPrefix(type));
    files.set(
      file
        .split(path.sep)
        .join('/')
        .replace(/\.tmpl$/, ''),
      text,
    );
  }
  return files;
}
