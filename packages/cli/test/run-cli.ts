import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built `dgt` binary (tests run after `pnpm build`). */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
/** The repository root, for the examples. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export { COMPAT } from './compat-fixtures.js';

export type CliResult = {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
};

/** Starts `dgt` as a child process; `done` resolves when it exits. */
export function startCli(args: string[], options: { cwd: string; env?: Record<string, string> }) {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    // Each test folder gets its own request cache: tests never share LM answers.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DGT_CACHE_DIR: path.join(options.cwd, '.dgt-cache'),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Runs `dgt` to the end. */
export function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliResult> {
  return startCli(args, options).done;
}

/** A fresh temporary folder. */
export function tempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'dgt-cli-'));
}

/** Lines in a file so far (0 when missing), for waiting on a run's progress. */
export async function lineCount(file: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').length - 1;
}

/** Reads a JSONL file back (empty when missing); a torn last line is ignored. */
export async function readJsonl(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const lines = text.split('\n');
  const out: Record<string, unknown>[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line));
    } catch (error) {
      if (i !== lines.length - 1) throw error;
    }
  }
  return out;
}

/**
 * Writes `override.yaml` in `dir` pointing the geography builder's `generator` at a server
 * (DiGiT's override format), with extra block keys if given.
 */
export async function writeGeneratorOverride(
  dir: string,
  type: string,
  baseURL: string,
  extra: Record<string, string | number> = {},
) {
  const keys = Object.entries({ type, model_id_or_path: 'fake-model', base_url: baseURL, ...extra })
    .map(([key, value]) => `        ${key}: ${value}\n`)
    .join('');
  await writeFile(
    path.join(dir, 'override.yaml'),
    `databuilders:\n  public/examples/geography_qa:\n    blocks:\n      - name: generator\n${keys}`,
  );
}

/**
 * Environment that makes a spawned CLI unable to load `module`, as if an optional dependency
 * (better-sqlite3, which may fail to build on a user's machine) were not installed: a module
 * resolve hook, loaded with `--import`, refuses to find it. The hook files go in `dir`.
 */
export async function withoutModule(dir: string, module: string): Promise<Record<string, string>> {
  await writeFile(
    path.join(dir, 'hide-module.mjs'),
    `export async function resolve(specifier, context, next) {
  if (specifier === ${JSON.stringify(module)}) {
    const error = new Error(${JSON.stringify(`Cannot find package '${module}'`)});
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return next(specifier, context);
}
`,
  );
  await writeFile(
    path.join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister('./hide-module.mjs', import.meta.url);\n`,
  );
  return { NODE_OPTIONS: `--import ${path.join(dir, 'register.mjs')}` };
}
