import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type FakeLmServer, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const RATER = path.join(REPO, 'examples/qa-rater/task.yaml');
const KNOWLEDGE = path.join(REPO, 'examples/knowledge-qa/task.yaml');

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/**
 * A fresh project folder, and the environment `dgt` gets there: its own request cache folder
 * (which must stay absent) and no credentials. `runCli` passes only PATH, HOME and this, so an
 * OPENAI_API_KEY of the machine running the tests never reaches the CLI.
 */
async function project() {
  const dir = await tempDir();
  const cache = path.join(dir, 'cache');
  return { dir, cache, env: { DGT_CACHE_DIR: cache } as Record<string, string> };
}

type Report = {
  ok: boolean;
  tasks: unknown[];
  errors: {
    path: string;
    code: string;
    message: string;
    builder?: string;
    block?: string;
    type?: string;
  }[];
};

describe('dgt validate creates the blocks as dgt run would', () => {
  it('warns about an openai block without OPENAI_API_KEY, naming the key, the block and the builder, and passes the task', async () => {
    const { dir, cache, env } = await project();
    await writeFile(
      path.join(dir, 'override.yaml'),
      'databuilders:\n  public/examples/geography_qa:\n    blocks:\n      - name: generator\n        type: openai\n        model_id_or_path: gpt-4o-mini\n',
    );
    const result = await runCli(['validate', GEOGRAPHY, '--config-path', 'override.yaml'], {
      cwd: dir,
      env,
    });
    // The task is right; only the environment lacks a key, which `run --engine mock` needs not.
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'warning: block "generator" (openai) of builder public/examples/geography_qa:',
    );
    expect(result.stderr).toContain('no API key — set OPENAI_API_KEY');
    expect(result.stderr).toContain('dgt run would fail until it is set.');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toContain('1 task valid');

    const json = await runCli(['validate', GEOGRAPHY, '--config-path', 'override.yaml', '--json'], {
      cwd: dir,
      env,
    });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as Report & { warnings: string[] };
    expect(report.ok).toBe(true);
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([expect.stringContaining('OPENAI_API_KEY')]);
    // --strict is about the task files: a missing key stays a warning.
    const strict = await runCli(
      ['validate', GEOGRAPHY, '--config-path', 'override.yaml', '--strict'],
      { cwd: dir, env },
    );
    expect(strict.code).toBe(0);
    expect(existsSync(cache)).toBe(false);
  });

  it('reports --engine openai without --model', async () => {
    const { dir, env } = await project();
    const result = await runCli(['validate', GEOGRAPHY, '--engine', 'openai'], {
      cwd: dir,
      env: { ...env, OPENAI_API_KEY: 'sk-test' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('block "generator" (openai)');
    expect(result.stderr).toContain('missing key "model_id_or_path"');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a --base-url without a scheme, naming the flag', async () => {
    const { dir, env } = await project();
    const args = ['validate', GEOGRAPHY, '--engine', 'openai', '--model', 'm'];
    const result = await runCli([...args, '--base-url', 'localhost:8000/v1'], {
      cwd: dir,
      env: { ...env, OPENAI_API_KEY: 'sk-test' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--base-url localhost:8000/v1: base_url: must be a URL starting with http:// or https://',
    );
    const fine = await runCli([...args, '--base-url', 'http://localhost:8000/v1'], {
      cwd: dir,
      env: { ...env, OPENAI_API_KEY: 'sk-test' },
    });
    expect(fine.code).toBe(0);
  });

  it('checks the LM block an lm_judge creates for itself', async () => {
    const { dir, env } = await project();
    const result = await runCli(
      ['validate', KNOWLEDGE, '--engine', 'openai', '--model', 'gpt-4o-mini', '--json'],
      { cwd: dir, env },
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { warnings: string[] };
    expect(report.warnings.find((w) => w.includes('(lm_judge)'))).toContain('OPENAI_API_KEY');
    expect(report.warnings.find((w) => w.includes('block "generator"'))).toBeDefined();
  });

  it('reports each block once, however many task paths share its builder', async () => {
    const { dir, env } = await project();
    // A second task of the geography builder: its blocks are the same, so one report.
    const text = (await readFile(GEOGRAPHY, 'utf8')).replace(
      'task_name: examples/geography_qa',
      'task_name: examples/geography_again',
    );
    await writeFile(path.join(dir, 'again.yaml'), text);
    const result = await runCli(
      ['validate', GEOGRAPHY, 'again.yaml', RATER, '--engine', 'openai', '--model', 'gpt-4o-mini'],
      { cwd: dir, env },
    );
    expect(result.code).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warning:'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(
      'block "generator" (openai) of builder public/examples/geography_qa',
    );
    expect(warnings[1]).toContain('block "rater" (openai) of builder public/examples/qa_rater');
  });

  it('passes a valid task without calling the model, writing outputs or opening the cache', async () => {
    const { dir, cache, env } = await project();
    const server = await startFakeOpenAI();
    servers.push(server);
    const out = path.join(dir, 'out');
    const result = await runCli(
      [
        'validate',
        GEOGRAPHY,
        KNOWLEDGE,
        '--engine',
        'openai',
        '--model',
        'fake-model',
        '--base-url',
        server.baseURL,
        '--output-dir',
        out,
      ],
      { cwd: dir, env },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('2 tasks valid; no model was called.');
    expect(server.stats.requests).toBe(0);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(cache)).toBe(false);
    // Nothing else appeared in the project folder either.
    expect(await readdir(dir)).toEqual([]);
  });
});
