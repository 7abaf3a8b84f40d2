import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonl, runCli, tempDir } from './run-cli.js';

type Listed = { id: string; aliases?: string[] };

/** Every builder id `dgt list` shows, aliases included. */
async function builderIds(cwd: string): Promise<{ primary: string[]; all: string[] }> {
  const listed = await runCli(['list', '--kind', 'builders', '--json'], { cwd });
  const builders = JSON.parse(listed.stdout).builders as Listed[];
  return {
    primary: builders.map((b) => b.id),
    all: builders.flatMap((b) => [b.id, ...(b.aliases ?? [])]),
  };
}

describe('dgt init task --builder B', () => {
  it('writes a task that passes dgt validate --strict, for every builder and alias', async () => {
    const dir = await tempDir();
    const { all } = await builderIds(dir);
    expect(all.length).toBeGreaterThanOrEqual(16);
    for (const id of all) {
      const folder = `tasks/${id.replaceAll('/', '_')}`;
      const created = await runCli(['init', 'task', folder, '--builder', id], { cwd: dir });
      expect(created.stderr, id).toBe('');
      expect(created.code, id).toBe(0);
      const result = await runCli(['validate', `${folder}/task.yaml`, '--strict'], { cwd: dir });
      expect(result.stderr, id).toBe('');
      expect(result.code, id).toBe(0);
    }
  });

  it('writes a task that a --engine mock run turns into records, for every builder', async () => {
    const dir = await tempDir();
    const { primary } = await builderIds(dir);
    for (const id of primary) {
      await runCli(['init', 'task', `${id}.yaml`, '--builder', id], { cwd: dir });
      const result = await runCli(
        ['run', '--task-paths', `${id}.yaml`, '--engine', 'mock', '--output-dir', 'out'],
        { cwd: dir },
      );
      expect(result.code, `${id}: ${result.stderr}`).toBe(0);
      const records = await readJsonl(path.join(dir, 'out', id, 'final_data.jsonl'));
      expect(records.length, id).toBeGreaterThan(0);
    }
  }, 60_000);
});

describe("a seed example that does not fit the builder's input", () => {
  it('names the fields the builder expects (simple reads its input through a preprocess step)', async () => {
    const dir = await tempDir();
    await writeFile(
      path.join(dir, 'task.yaml'),
      'task_name: s\ndata_builder: simple\nseed_examples:\n  - text: Example text 1\n',
    );
    const result = await runCli(['validate', 'task.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'Builder public/instructlab/simple expects fields like question, answer, context',
    );
  });
});
