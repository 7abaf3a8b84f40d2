import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  discoverPlugins,
  isDgtError,
  overrideFileSchema,
  planRun,
  type Registry,
  runTasks,
} from '@dgt/core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const DOCS = fileURLToPath(new URL('..', import.meta.url));
const REPO = path.resolve(DOCS, '../..');
const CLI = path.join(REPO, 'packages/cli/dist/bin.js');
const FIXTURES = path.join(DOCS, 'test/fixtures');
const require = createRequire(path.join(DOCS, 'package.json'));

type Yaml = Record<string, unknown>;
type Snippet = { where: string; text: string; data: unknown };

/** Every markdown page of the site (hand-written and generated), relative to apps/docs. */
async function pages(): Promise<string[]> {
  const entries = await readdir(DOCS, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => path.relative(DOCS, path.join(e.parentPath, e.name)))
    .filter((file) => !/^(node_modules|dist|examples|test)\//.test(file))
    .sort();
}

/** The ```yaml fences of a page, each with its line. */
function yamlFences(file: string, text: string): Snippet[] {
  const out: Snippet[] = [];
  const fence = /^```ya?ml[^\n]*\n([\s\S]*?)^```/gm;
  for (const match of text.matchAll(fence)) {
    const line = text.slice(0, match.index).split('\n').length;
    out.push({ where: `${file}:${line}`, text: match[1]!, data: undefined });
  }
  return out;
}

const isObject = (v: unknown): v is Yaml =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isTask = (d: unknown): d is Yaml => isObject(d) && 'task_name' in d && 'data_builder' in d;
const isBuilder = (d: unknown): d is Yaml => isObject(d) && 'name' in d && Array.isArray(d.blocks);
const isOverride = (d: unknown): d is Yaml =>
  isObject(d) && ('databuilders' in d || 'tasks' in d || 'task_files' in d);

let registry: Registry;
let snippets: Snippet[] = [];
let allText = '';
let work: string;
const ajv = new Ajv2020({ strict: false, allErrors: true });
let validateTask: ReturnType<typeof ajv.compile>;
let validateBuilder: ReturnType<typeof ajv.compile>;

/** A fresh folder holding the fixture files the examples refer to. */
async function sandbox(name: string): Promise<string> {
  const dir = path.join(work, name.replace(/[^\w.-]+/g, '_'));
  await cp(FIXTURES, dir, { recursive: true });
  return dir;
}

/** Plans a run (everything `dgt run` checks before its first LM call); returns the error, if any. */
async function plan(dir: string, taskFile: string, override?: string) {
  try {
    await planRun({
      taskPaths: [taskFile],
      ...(override ? { configPath: override } : {}),
      cwd: dir,
      env: { DATA_ROOT: path.join(dir, 'out') },
      registry,
    });
    return undefined;
  } catch (error) {
    if (isDgtError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
}

/** Checks each block of a builder-shaped config against its block type's own zod schema. */
async function checkBlocks(where: string, config: Yaml): Promise<string[]> {
  const problems: string[] = [];
  for (const block of (config.blocks as Yaml[] | undefined) ?? []) {
    if (typeof block.type !== 'string') continue; // an override patch that keeps the type
    if (!registry.find('blocks', block.type)) {
      problems.push(`${where}: unknown block type ${block.type}`);
      continue;
    }
    const definition = (await registry.load('blocks', block.type, where)) as {
      configSchema: { safeParse(v: unknown): { success: boolean; error?: unknown } };
    };
    const parsed = definition.configSchema.safeParse(block);
    if (!parsed.success) problems.push(`${where}: block ${String(block.name)}: ${parsed.error}`);
  }
  return problems;
}

beforeAll(async () => {
  // The reference pages are generated from the built packages; make them current.
  execFileSync(process.execPath, [path.join(DOCS, 'scripts/generate-reference.mjs')], {
    stdio: 'pipe',
  });
  registry = await discoverPlugins({ projectRoot: DOCS });
  validateTask = ajv.compile(
    JSON.parse(await readFile(require.resolve('@dgt/cli/schemas/task.schema.json'), 'utf8')),
  );
  validateBuilder = ajv.compile(
    JSON.parse(await readFile(require.resolve('@dgt/cli/schemas/builder.schema.json'), 'utf8')),
  );
  for (const file of await pages()) {
    const text = await readFile(path.join(DOCS, file), 'utf8');
    allText += `${text}\n`;
    snippets.push(...yamlFences(file, text));
  }
  for (const file of (await readdir(path.join(DOCS, 'examples'))).filter((f) =>
    f.endsWith('.yaml'),
  )) {
    const text = await readFile(path.join(DOCS, 'examples', file), 'utf8');
    snippets.push({ where: `examples/${file}`, text, data: undefined });
  }
  snippets = snippets.map((s) => ({ ...s, data: parseYaml(s.text) }));
  work = await mkdtemp(path.join(tmpdir(), 'dgt-docs-test-'));
}, 30_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('YAML examples in the docs', () => {
  it('all parse as YAML', () => {
    // parseYaml above threw on a syntax error; here: there are enough of them to matter.
    expect(snippets.length).toBeGreaterThan(60);
  });

  it('task files match the task schema and plan as `dgt run` would', async () => {
    const tasks = snippets.filter((s) => isTask(s.data));
    expect(tasks.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const snippet of tasks) {
      const data = snippet.data as Yaml;
      if (!validateTask(data))
        problems.push(`${snippet.where}: ${ajv.errorsText(validateTask.errors)}`);
      // Tasks of builders that only exist in a guide's example plugin get the schema check only.
      if (!registry.find('builders', String(data.data_builder))) continue;
      const dir = await sandbox(snippet.where);
      const file = path.join(dir, 'task.yaml');
      await writeFile(file, snippet.text);
      const error = await plan(dir, file);
      if (error) problems.push(`${snippet.where}: ${error}`);
    }
    expect(problems).toEqual([]);
  });

  it('builder files match the builder schema and their blocks match their types', async () => {
    const builders = snippets.filter((s) => isBuilder(s.data) && !isOverride(s.data));
    expect(builders.length).toBeGreaterThan(8);
    const problems: string[] = [];
    for (const snippet of builders) {
      if (!validateBuilder(snippet.data))
        problems.push(`${snippet.where}: ${ajv.errorsText(validateBuilder.errors)}`);
      problems.push(...(await checkBlocks(snippet.where, snippet.data as Yaml)));
    }
    expect(problems).toEqual([]);
  });

  it('override files are valid, and pipeline overrides plan with a task', async () => {
    const overrides = snippets.filter((s) => isOverride(s.data));
    expect(overrides.length).toBeGreaterThan(15);
    const problems: string[] = [];
    for (const snippet of overrides) {
      const data = snippet.data as Yaml;
      const parsed = overrideFileSchema.safeParse(data);
      if (!parsed.success) problems.push(`${snippet.where}: ${parsed.error.message}`);
      const builders = (data.databuilders ?? {}) as Record<string, Yaml>;
      for (const [id, config] of Object.entries(builders)) {
        problems.push(...(await checkBlocks(`${snippet.where} (${id})`, config)));
        if (id !== 'pipeline') continue;
        const dir = await sandbox(snippet.where);
        const task = path.join(dir, 'task.yaml');
        await writeFile(
          task,
          'task_name: docs_check\ndata_builder: pipeline\ndata: {type: default, data_path: data.jsonl}\n',
        );
        const override = path.join(dir, 'override.yaml');
        await writeFile(override, snippet.text);
        const error = await plan(dir, task, override);
        if (error) problems.push(`${snippet.where}: ${error}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every builder example runs to completion offline with the mock engine', async () => {
    const files = (await readdir(path.join(DOCS, 'examples'))).filter((f) =>
      f.startsWith('builder-'),
    );
    const outcomes: Record<string, string> = {};
    for (const file of files) {
      const dir = await sandbox(`run-${file}`);
      const task = path.join(dir, 'task.yaml');
      await cp(path.join(DOCS, 'examples', file), task);
      const override = path.join(dir, 'override.yaml');
      // The pipeline example gets its blocks from an override, as its page says.
      if (file === 'builder-pipeline.yaml') {
        await writeFile(
          override,
          'databuilders:\n  pipeline:\n    blocks:\n      - {name: dedup, type: exact_dedup, filter: true, input_map: {text: input}}\n',
        );
      }
      const result = await runTasks({
        taskPaths: [task],
        ...(file === 'builder-pipeline.yaml' ? { configPath: override } : {}),
        cwd: dir,
        env: {},
        registry,
        engine: { type: 'mock', cache: 'off' },
        runner: { numOutputsToGenerate: 3, outputDir: path.join(dir, 'output') },
      });
      outcomes[file] = result.tasks
        .map((t) => `${t.status}${t.reason ? `: ${t.reason}` : ''}`)
        .join();
    }
    expect(outcomes).toEqual(Object.fromEntries(files.map((f) => [f, 'completed'])));
  }, 60_000);

  it('every block example runs over a file with the mock engine', async () => {
    const files = (await readdir(path.join(DOCS, 'examples'))).filter((f) =>
      f.startsWith('block-'),
    );
    expect(files.length).toBe(registry.list('blocks').length - countAliases());
    const outcomes: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const file of files) {
      const type = /type: (\S+)/.exec(
        await readFile(path.join(DOCS, 'examples', file), 'utf8'),
      )![1]!;
      const definition = (await registry.load('blocks', type, file)) as { role: string };
      // An override naming a block's type wins over --engine (as documented), so provider
      // blocks other than mock would call their real servers: those are planned above, not run.
      if (definition.role === 'lm' && type !== 'mock') continue;
      expected[file] = 'completed';
      const dir = await sandbox(`run-${file}`);
      const task = path.join(dir, 'task.yaml');
      await writeFile(
        task,
        'task_name: docs_block\ndata_builder: pipeline\ndata: {type: default, data_path: data.jsonl}\n',
      );
      const override = path.join(dir, 'override.yaml');
      await cp(path.join(DOCS, 'examples', file), override);
      const result = await runTasks({
        taskPaths: [task],
        configPath: override,
        cwd: dir,
        env: {},
        registry,
        engine: { type: 'mock', cache: 'off' },
        runner: { outputDir: path.join(dir, 'output') },
      });
      outcomes[file] = result.status;
    }
    expect(Object.keys(expected).length).toBeGreaterThan(10);
    expect(outcomes).toEqual(expected);
  }, 60_000);

  it('the example task files pass `dgt validate` through the CLI', () => {
    const dir = path.join(work, 'cli-validate');
    execFileSync('cp', ['-r', FIXTURES, dir]);
    const files: string[] = [];
    for (const snippet of snippets) {
      if (!snippet.where.startsWith('examples/') || !isTask(snippet.data)) continue;
      const file = path.join(dir, path.basename(snippet.where));
      execFileSync('cp', [path.join(DOCS, snippet.where), file]);
      files.push(file);
    }
    const out = execFileSync(process.execPath, [CLI, 'validate', ...files, '--json'], {
      cwd: dir,
      encoding: 'utf8',
    });
    const result = JSON.parse(out) as { ok: boolean; tasks: unknown[]; errors: unknown[] };
    expect(result.errors).toEqual([]);
    expect(result.tasks).toHaveLength(files.length);
  });
});

/** How many block ids are aliases (a second id for the same module). */
function countAliases(): number {
  let aliases = 0;
  for (const name of ['@dgt/blocks-lm', '@dgt/blocks-validators', '@dgt/builders']) {
    const pkg = require(`${name}/package.json`) as { dgt: { blocks?: Record<string, string> } };
    const subpaths = Object.values(pkg.dgt.blocks ?? {});
    aliases += subpaths.length - new Set(subpaths).size;
  }
  return aliases;
}

describe('the docs cover the code', () => {
  it('mention every flag printed by `dgt run --help`', () => {
    const help = execFileSync(process.execPath, [CLI, 'run', '--help'], { encoding: 'utf8' });
    const flags = [...new Set(help.match(/--[a-z][a-z-]*/g))];
    expect(flags.length).toBeGreaterThan(15);
    expect(flags.filter((flag) => !allText.includes(flag))).toEqual([]);
  });

  it('mention every builder and block id printed by `dgt list --json`', () => {
    const list = JSON.parse(
      execFileSync(process.execPath, [CLI, 'list', '--json'], { cwd: REPO, encoding: 'utf8' }),
    ) as Record<string, { id: string; aliases?: string[] }[]>;
    // One entry per builder or block; its other ids are its aliases.
    const ids = [...list.builders!, ...list.blocks!].flatMap((entry) => [
      entry.id,
      ...(entry.aliases ?? []),
    ]);
    expect(ids.length).toBeGreaterThan(30);
    expect(ids.filter((id) => !allText.includes(`\`${id}\``))).toEqual([]);
  });

  it('explain every DgtError code in the troubleshooting guide', async () => {
    const source = await readFile(path.join(REPO, 'packages/core/src/errors/dgt-error.ts'), 'utf8');
    const union = source.slice(source.indexOf('DgtErrorCode ='), source.indexOf(';'));
    const codes = [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThan(15);
    const guide = await readFile(path.join(DOCS, 'guides/troubleshooting.md'), 'utf8');
    expect(codes.filter((code) => !guide.includes(`\`${code}\``))).toEqual([]);
  });

  it('document the connection variables of every LM provider', async () => {
    const models = await readFile(path.join(DOCS, 'guide/models.md'), 'utf8');
    const found = new Set<string>();
    for (const pkg of ['blocks-lm', 'provider-gemini']) {
      const sources = path.join(REPO, 'packages', pkg, 'src');
      for (const file of await readdir(sources, { recursive: true })) {
        if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
        // Code only: TSDoc examples name made-up variables.
        const text = (await readFile(path.join(sources, file), 'utf8')).replace(
          /\/\*[\s\S]*?\*\//g,
          '',
        );
        for (const m of text.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)) found.add(m[1]!);
        // Keys read with loadApiKey / findApiKey: `variable: 'X'` or `variable: ['X', 'Y']`.
        for (const m of text.matchAll(/variable: (\[[^\]]*\]|'[^']*')/g))
          for (const name of m[1]!.matchAll(/'([A-Z][A-Z0-9_]+)'/g)) found.add(name[1]!);
      }
    }
    expect(found.size).toBeGreaterThan(10);
    const pages = `${models}${allText}`;
    expect([...found].filter((name) => !pages.includes(name))).toEqual([]);
  });
});

describe('the built site', () => {
  it('builds with no dead links', async () => {
    const dist = path.join(DOCS, 'dist');
    const newest = Math.max(
      ...(await pages())
        .filter((p) => !p.startsWith('reference/'))
        .map((p) => statSync(path.join(DOCS, p)).mtimeMs),
      statSync(path.join(DOCS, '.vitepress/config.mts')).mtimeMs,
    );
    const built = path.join(dist, 'index.html');
    // `pnpm test` builds the workspace (docs included) first; build here only when stale.
    if (!existsSync(built) || statSync(built).mtimeMs < newest) {
      execFileSync('pnpm', ['exec', 'vitepress', 'build'], { cwd: DOCS, stdio: 'pipe' });
    }
    // VitePress fails the build on a dead link; check the output too, independently of it.
    const html = (await readdir(dist, { recursive: true })).filter((f) => f.endsWith('.html'));
    expect(html.length).toBeGreaterThan(40);
    const dead: string[] = [];
    for (const file of html) {
      const text = await readFile(path.join(dist, file), 'utf8');
      for (const m of text.matchAll(/href="(\/[^"#?]*)[^"]*"/g)) {
        let target = m[1]!;
        if (target.startsWith('/assets/') || target.endsWith('.svg')) continue;
        if (target.endsWith('/')) target += 'index.html';
        if (!existsSync(path.join(dist, target))) dead.push(`${file} → ${m[1]}`);
      }
      expect(text).not.toMatch(/fonts\.googleapis|googletagmanager|google-analytics/);
    }
    expect([...new Set(dead)]).toEqual([]);
  }, 60_000);
});
