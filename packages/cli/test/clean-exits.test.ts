import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, tempDir } from './run-cli.js';

const SEEDS = 'seed_examples: [{question: Capital of France?, answer: Paris}]\n';

async function runTask(dir: string, yaml: string, extra: string[] = []) {
  const file = path.join(dir, 'task.yaml');
  await writeFile(file, yaml);
  return runCli(
    ['run', '--task-paths', file, '--engine', 'mock', '--output-dir', 'out', ...extra],
    { cwd: dir },
  );
}

/** A clean user-facing failure: the message, no stack trace. */
function expectClean(stderr: string, text: string) {
  expect(stderr).toContain(text);
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

describe('what used to end in a raw stack trace ends with a clean message', () => {
  it('a YAML alias bomb in a task file is exit 2 naming the file', async () => {
    const dir = await tempDir();
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (const [i, name] of ['b', 'c', 'd', 'e', 'f'].entries()) {
      const prev = 'abcdef'[i];
      levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(',')}]`);
    }
    const result = await runTask(
      dir,
      `${levels.join('\n')}\ntask_name: bomb\ndata_builder: public/examples/geography_qa\n${SEEDS}`,
    );
    expect(result.code).toBe(2);
    expectClean(result.stderr, 'task.yaml: its YAML aliases (*name) expand to too many values');
  });

  it('a task name with a NUL character is exit 2 naming the key', async () => {
    const dir = await tempDir();
    const result = await runTask(
      dir,
      `task_name: "a\\0b"\ndata_builder: public/examples/geography_qa\n${SEEDS}`,
    );
    expect(result.code).toBe(2);
    expectClean(result.stderr, 'task.yaml:1: the task name "a\\u0000b" contains a NUL character');
  });

  it('a task name over 255 bytes is exit 2', async () => {
    const dir = await tempDir();
    const result = await runTask(
      dir,
      `task_name: ${'é'.repeat(130)}\ndata_builder: public/examples/geography_qa\n${SEEDS}`,
    );
    expect(result.code).toBe(2);
    expectClean(result.stderr, 'a folder name of 260 bytes');
  });

  it('a task folder that exists as a file is exit 2 naming the file', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'out'));
    await writeFile(path.join(dir, 'out/taken'), 'not a folder');
    const result = await runTask(
      dir,
      `task_name: taken\ndata_builder: public/examples/geography_qa\n${SEEDS}`,
    );
    expect(result.code).toBe(2);
    expectClean(result.stderr, `${path.join(dir, 'out/taken')} exists and is not a folder`);
  });

  it('a template past its limits ends the task with a message naming the template', async () => {
    const dir = await tempDir();
    const template = path.join(dir, 'bad.txt');
    await writeFile(template, '{{ range(10**9) }}\n');
    await writeFile(
      path.join(dir, 'override.yaml'),
      `databuilders:\n  public/instructlab/simple:\n    prompt_file_path: ${template}\n`,
    );
    const result = await runCli(
      [
        'run',
        '--task-paths',
        path.join(REPO, 'examples/simple-skills/task.yaml'),
        '--config-path',
        'override.yaml',
        '--engine',
        'mock',
        '--output-dir',
        'out',
      ],
      { cwd: dir },
    );
    // Not V8's fatal "invalid array length" (exit 133): a task failed on a user error (the
    // template), so exit 2, naming the template.
    expect(result.code).toBe(2);
    expectClean(result.stdout + result.stderr, `Template ${template} went past a rendering limit`);
  }, 30_000);
});

describe('a full disk', () => {
  it('names the full folder, exits 1, and the run resumes once space is freed', async (ctx) => {
    const dir = await tempDir();
    const small = path.join(dir, 'small');
    await mkdir(small);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', small], { stdio: 'pipe' });
    } catch (error) {
      console.log(`skipped: cannot mount a small tmpfs here (${(error as Error).message.trim()})`);
      ctx.skip();
      return;
    }
    try {
      const args = [
        'run',
        '--task-paths',
        path.join(REPO, 'examples/geography-qa/task.yaml'),
        '--engine',
        'mock',
        '--output-dir',
        path.join(small, 'out'),
        '--num-outputs-to-generate',
        '3000',
      ];
      const full = await runCli(args, { cwd: dir });
      expect(full.code).toBe(1);
      expectClean(
        full.stderr,
        `the folder ${path.join(small, 'out/examples/geography_qa')} is on a full disk`,
      );
      expect(full.stderr).toContain('the run resumes where it stopped');
      execFileSync('mount', ['-o', 'remount,size=64m', small]);
      const resumed = await runCli(args, { cwd: dir });
      expect(resumed.code, resumed.stderr).toBe(0);
      const final = await readJsonl(path.join(small, 'out/examples/geography_qa/final_data.jsonl'));
      expect(final).toHaveLength(3000);
      expect(new Set(final.map((r) => r.question)).size).toBe(3000);
    } finally {
      execFileSync('umount', [small]);
    }
  }, 120_000);
});
