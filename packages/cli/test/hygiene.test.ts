import { mkdir, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonl, runCli, tempDir } from './run-cli.js';

const TASK = (include: string) =>
  `task_name: hygiene\ndata_builder: public/examples/geography_qa\nseed_examples: [{question: Capital of France?, answer: Paris}]\ninclude:\n  seed_examples: ${include}\n`;

function run(dir: string, task: string, extra: string[] = []) {
  return runCli(
    [
      'run',
      '--task-paths',
      task,
      '--engine',
      'mock',
      '--output-dir',
      'out',
      '--num-outputs-to-generate',
      '3',
      ...extra,
    ],
    { cwd: dir },
  );
}

describe('leftovers and includes', () => {
  it('removes temporary files a killed run left in the task folder', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'seeds.yaml'), '- {question: Capital of Peru?, answer: Lima}\n');
    const taskDir = path.join(dir, 'out/hygiene');
    await mkdir(path.join(taskDir, 'blocks'), { recursive: true });
    const stale = [
      path.join(taskDir, '.data.jsonl.999999.0a1b2c3d.tmp'),
      path.join(taskDir, '.final_data.jsonl.999998.ffee0011.tmp'),
      path.join(taskDir, 'blocks/.dedup.jsonl.999997.12345678.tmp'),
    ];
    for (const file of stale) await writeFile(file, '{"torn":');
    const result = await run(dir, await writeTask(dir, TASK('seeds.yaml')));
    expect(result.code, result.stderr).toBe(0);
    const left = [
      ...(await readdir(taskDir)),
      ...(await readdir(path.join(taskDir, 'blocks')).catch(() => [])),
    ];
    expect(left.filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 30_000);

  it('keeps large included content out of the task card: path, size and hash instead', async () => {
    const dir = await tempDir();
    const lines = Array.from(
      { length: 4000 },
      (_, i) => `- {question: "Filler question number ${i} about a river?", answer: "River ${i}"}`,
    );
    await writeFile(path.join(dir, 'seeds.yaml'), `${lines.join('\n')}\n`);
    const result = await run(dir, await writeTask(dir, TASK('seeds.yaml')));
    expect(result.code, result.stderr).toBe(0);
    const cardFile = path.join(dir, 'out/hygiene/task_card.jsonl');
    expect((await stat(cardFile)).size).toBeLessThan(20_000);
    const [card = {}] = await readJsonl(cardFile);
    const [included] = card.included_files as Record<string, unknown>[];
    expect(included).toMatchObject({ key: 'seed_examples', path: path.join(dir, 'seeds.yaml') });
    expect(included?.bytes).toBeGreaterThan(256 * 1024);
    expect(String(included?.sha256)).toMatch(/^[0-9a-f]{64}$/);
    expect((card.task_config as Record<string, unknown>).include).toEqual({
      seed_examples: 'seeds.yaml',
    });
  }, 30_000);

  it('warns about includes from outside the task folder (.. or a symlink out), unless allowed', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'tasks'));
    const outside = path.join(dir, 'outside.yaml');
    await writeFile(outside, '- {question: Capital of Peru?, answer: Lima}\n');
    await symlink(outside, path.join(dir, 'tasks/linked.yaml'));
    const task = path.join(dir, 'tasks/task.yaml');
    for (const include of ['../outside.yaml', 'linked.yaml']) {
      await writeFile(task, TASK(include));
      const result = await run(dir, task);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(`reads ${outside}, outside the task file's folder`);
      const allowed = await run(dir, task, ['--allow-outside-includes']);
      expect(allowed.code).toBe(0);
      expect(allowed.stderr).not.toContain('outside the task file');
    }
  }, 60_000);
});

async function writeTask(dir: string, yaml: string): Promise<string> {
  const file = path.join(dir, 'task.yaml');
  await writeFile(file, yaml);
  return file;
}
