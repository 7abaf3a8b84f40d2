import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { beforeAll, describe, expect, it } from 'vitest';

// The packages as npm users get them: every publishable package and the example third-party
// plugin, packed with `pnpm pack` (workspace: ranges become real versions), installed with plain
// `npm install` into a fresh project outside the workspace, and used through `npx dgt`.
const REPO = path.resolve(import.meta.dirname, '..');
const PACKAGES = [
  'packages/core',
  'packages/blocks-lm',
  'packages/blocks-validators',
  'packages/builders',
  'packages/testing',
  'packages/viewer',
  'packages/provider-gemini',
  'packages/cli',
  'examples/acme-plugin',
];
const exec = promisify(execFile);

/** The environment of a user's shell: none of the pnpm/npm settings of the test runner. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // A developer's own OpenAI settings must not change what the installed CLI is tested with.
    if (!/^(npm_|pnpm_|PNPM_|VITEST|NODE_OPTIONS|CI$|OPENAI_API_KEY$|OPENAI_BASE_URL$)/i.test(key))
      env[key] = value;
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false' };
}

/**
 * Stand-ins for the prebuilt native binaries that installs normally download from GitHub, which
 * this sandbox cannot reach: without them npm compiles better-sqlite3 (the LM request cache)
 * from source, which takes over a minute. Made from the workspace's own build of each version,
 * in prebuild-install's local-prebuilds layout; a version without one is compiled as usual.
 */
async function localPrebuilds(dir: string): Promise<Record<string, string>> {
  const store = path.join(REPO, 'node_modules/.pnpm');
  const made: string[] = [];
  for (const entry of await readdir(store)) {
    const match = /^better-sqlite3@(\d+\.\d+\.\d+)$/.exec(entry);
    const pkg = path.join(store, entry, 'node_modules/better-sqlite3');
    if (!match || !existsSync(path.join(pkg, 'build/Release/better_sqlite3.node'))) continue;
    const file = `better-sqlite3-v${match[1]}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
    await exec('tar', ['-czf', path.join(dir, file), 'build/Release/better_sqlite3.node'], {
      cwd: pkg,
    });
    made.push(file);
  }
  return made.length ? { npm_config_better_sqlite3_local_prebuilds: dir } : {};
}

type Result = { code: number; stdout: string; stderr: string };

/** Runs a command in the project; resolves with its exit code and output (never rejects). */
async function sh(
  cmd: string,
  args: string[],
  cwd: string,
  extraEnv: Record<string, string> = {},
): Promise<Result> {
  try {
    const { stdout, stderr } = await exec(cmd, args, {
      cwd,
      env: { ...userEnv(), ...extraEnv },
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : 1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    };
  }
}

let packs: string; // folder of the tarballs, packed once per test run
let project: string; // the user's project
const tarballs = new Map<string, string>(); // package name → tarball path

beforeAll(async () => {
  packs = await mkdtemp(path.join(tmpdir(), 'dgt-packs-'));
  await Promise.all(
    PACKAGES.map((dir) =>
      exec('pnpm', ['pack', '--pack-destination', packs], {
        cwd: path.join(REPO, dir),
        env: userEnv(),
      }),
    ),
  );
  for (const dir of PACKAGES) {
    const { name, version } = JSON.parse(
      await readFile(path.join(REPO, dir, 'package.json'), 'utf8'),
    ) as { name: string; version: string };
    const file = `${name.replace('@', '').replace('/', '-')}-${version}.tgz`;
    tarballs.set(name, path.join(packs, file));
  }
  expect((await readdir(packs)).filter((f) => f.endsWith('.tgz')).sort()).toEqual(
    [...tarballs.values()].map((t) => path.basename(t)).sort(),
  );

  project = await mkdtemp(path.join(tmpdir(), 'dgt-user-'));
  await writeFile(
    path.join(project, 'package.json'),
    `${JSON.stringify(
      {
        name: 'dgt-user-project',
        private: true,
        type: 'module',
        dependencies: Object.fromEntries(
          [...tarballs].map(([name, tarball]) => [name, `file:${tarball}`]),
        ),
      },
      null,
      2,
    )}\n`,
  );
  const install = await sh(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
    project,
    await localPrebuilds(packs),
  );
  expect(install.stderr + install.stdout, 'npm install').not.toMatch(/ERR!/);
  expect(install.code).toBe(0);
}, 180_000);

describe('installed from the packed tarballs with npm', () => {
  it('every tarball passes publint (exports, types and files are right)', async () => {
    for (const [name, tarball] of tarballs) {
      const buffer = await readFile(tarball);
      const { messages, pkg } = await publint({
        pack: {
          tarball: buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength),
        },
        level: 'warning',
      });
      expect(
        messages.map((m) => formatMessage(m, pkg)),
        name,
      ).toEqual([]);
    }
  });

  it('npx dgt list --json shows the built-in and the plugin contributions with package and version', async () => {
    const result = await sh('npx', ['dgt', 'list', '--json'], project);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    type Entry = { id: string; package: string; version: string };
    const listed = JSON.parse(result.stdout) as Record<string, Entry[]>;
    const find = (kind: string, id: string) => listed[kind]?.find((e) => e.id === id);
    expect(find('builders', 'acme/slogan')).toEqual({
      id: 'acme/slogan',
      package: '@acme/dgt-plugin',
      version: '0.1.0',
    });
    expect(find('blocks', 'acme/word_count')?.package).toBe('@acme/dgt-plugin');
    expect(find('builders', 'geography_qa')?.package).toBe('@dgt/builders');
    expect(find('blocks', 'mock')?.package).toBe('@dgt/blocks-lm');
    expect(find('blocks', 'exact_dedup')?.package).toBe('@dgt/blocks-validators');
    expect(find('datastores', 'jsonl')?.package).toBe('@dgt/core');
    expect(listed.formatters?.length).toBeGreaterThan(0);
    for (const entries of Object.values(listed))
      for (const entry of entries) expect(entry.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("npx dgt run runs the plugin's example task with --engine mock", async () => {
    const result = await sh(
      'npx',
      [
        'dgt',
        'run',
        '--task-paths',
        'node_modules/@acme/dgt-plugin/examples/task.yaml',
        '--engine',
        'mock',
        '--output-dir',
        'out',
      ],
      project,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/acme\/slogans\s+completed\s+12\/12/);
    const final = (await readFile(path.join(project, 'out/acme/slogans/final_data.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(final).toHaveLength(12);
    expect(final[0]).toMatchObject({ task_name: 'acme/slogans', is_seed: false });
    expect(typeof final[0]?.slogan).toBe('string');
  }, 30_000);

  it('npx dgt --help and npx @dgt/cli --help work from the tarball', async () => {
    for (const args of [
      ['dgt', '--help'],
      ['@dgt/cli', '--help'],
    ]) {
      const result = await sh('npx', args, project);
      expect(result.code).toBe(0);
      for (const command of ['run', 'validate', 'list', 'init'])
        expect(result.stdout).toContain(`  ${command}`);
    }
    const run = await sh('npx', ['dgt', 'run', '--help'], project);
    expect(run.stdout).toContain('--task-paths');
  }, 30_000);

  it('dgt validate exits 2 on a task with a negative target and a non-list seed, naming both', async () => {
    await writeFile(
      path.join(project, 'bad.yaml'),
      'task_name: bad\ndata_builder: acme/slogan\nrunner_config:\n  num_outputs_to_generate: -5\nseed_examples: {product: a, slogan: b}\n',
    );
    const result = await sh('npx', ['dgt', 'validate', 'bad.yaml'], project);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bad.yaml:4: runner_config.num_outputs_to_generate');
    expect(result.stderr).toContain('bad.yaml:5: seed_examples: expected a list');
    expect(result.stderr).not.toMatch(/\n\s+at /);

    // validate creates the blocks: the plugin's OpenAI generator needs a key, as a run would;
    // the task itself is valid, so a missing key is a warning.
    const acmeTask = ['dgt', 'validate', 'node_modules/@acme/dgt-plugin/examples/task.yaml'];
    const keyless = await sh('npx', acmeTask, project);
    expect(keyless.code).toBe(0);
    expect(keyless.stderr).toContain('OPENAI_API_KEY');
    expect(keyless.stderr).toContain('dgt run would fail until it is set');
    const ok = await sh('npx', acmeTask, project, { OPENAI_API_KEY: 'sk-test' });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok {2}acme\/slogans .*builder acme\/slogan/m);
  }, 30_000);

  it('dgt init scaffolds a plugin with a dgt manifest and a task that validates', async () => {
    const plugin = await sh('npx', ['dgt', 'init', 'plugin', 'acme-thing'], project);
    expect(plugin.code).toBe(0);
    const pkg = JSON.parse(await readFile(path.join(project, 'acme-thing/package.json'), 'utf8'));
    expect(pkg.dgt).toEqual({
      manifest: 1,
      builders: { 'acme-thing/examples': './builders/examples' },
      blocks: { 'acme-thing/word_count': './blocks/word-count' },
    });
    expect(pkg.devDependencies['@dgt/core']).toBe('^0.1.0');

    const task = await sh(
      'npx',
      ['dgt', 'init', 'task', 'tasks/slogans', '--builder', 'acme/slogan'],
      project,
    );
    expect(task.code).toBe(0);
    const text = await readFile(path.join(project, 'tasks/slogans/task.yaml'), 'utf8');
    // The modeline points at the schema shipped in the installed CLI.
    expect(text).toContain(
      '# yaml-language-server: $schema=../../node_modules/@dgt/cli/schemas/task.schema.json',
    );
    expect(text).toContain('product: Example product 1');
    const valid = await sh('npx', ['dgt', 'validate', 'tasks/slogans/task.yaml'], project, {
      OPENAI_API_KEY: 'sk-test',
    });
    expect(valid.stderr).not.toContain('dgt: error');
    expect(valid.code).toBe(0);
  }, 60_000);

  it('a provider plugin from dgt init --provider, packed and installed, runs the geography example against its fake server', async () => {
    const created = await sh('npx', ['dgt', 'init', 'plugin', 'acme-llm', '--provider'], project);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const plugin = path.join(project, 'acme-llm');
    // Its build tools, as its own npm install would bring them; @dgt/* and zod resolve from the
    // project, where they were installed from the tarballs.
    for (const tool of ['tsup', 'typescript', '@types/node']) {
      const link = path.join(plugin, 'node_modules', tool);
      await mkdir(path.dirname(link), { recursive: true });
      await symlink(await realpath(path.join(REPO, 'node_modules', tool)), link, 'dir');
    }
    const built = await sh(process.execPath, ['node_modules/tsup/dist/cli-default.js'], plugin);
    expect(built.code, built.stderr).toBe(0);
    const packed = await sh('npm', ['pack', '--pack-destination', packs], plugin);
    expect(packed.code, packed.stderr).toBe(0);
    const installed = await sh(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        path.join(packs, 'acme-llm-0.1.0.tgz'),
      ],
      project,
      await localPrebuilds(packs),
    );
    expect(installed.code, installed.stderr).toBe(0);

    // The fake server of the packed @dgt/testing, with uneven latency and a few 429s and 500s.
    const testing = (await import(
      pathToFileURL(path.join(project, 'node_modules/@dgt/testing/dist/index.js')).href
    )) as typeof import('@dgt/testing');
    const server = await testing.startFakeOpenAI({
      latencyMs: testing.lognormalLatency({ medianMs: 10, sigma: 1 }),
      faults: (_req, index) =>
        index % 17 === 5
          ? { status: 429, retryAfterSeconds: 0.1 }
          : index % 23 === 7
            ? { status: 500 }
            : undefined,
    });
    try {
      const result = await sh(
        'npx',
        [
          'dgt',
          'run',
          '--task-paths',
          path.join(REPO, 'examples/geography-qa/task.yaml'),
          '--engine',
          'acme-llm',
          '--model',
          'fake-model',
          '--base-url',
          server.baseURL,
          '--output-dir',
          'out-provider',
        ],
        project,
        { ACME_LLM_API_KEY: 'test-key' },
      );
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/examples\/geography_qa\s+completed\s+20\/20/);
      const final = (
        await readFile(
          path.join(project, 'out-provider/examples/geography_qa/final_data.jsonl'),
          'utf8',
        )
      )
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(final).toHaveLength(20);
      expect(typeof final[0]?.question).toBe('string');
      // The requests went through the plugin to the fake server, with the plugin's key.
      expect(server.stats.completed).toBeGreaterThanOrEqual(20);
      expect(server.stats.rejected).toBeGreaterThan(0);
      expect(server.requests[0]?.authorization).toBe('Bearer test-key');
    } finally {
      await server.close();
    }
  }, 180_000);
});
