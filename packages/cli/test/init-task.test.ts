import { existsSync } from 'node:fs';
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

// time_series stands in for DiGiT's SDForger builder, which cannot run in Node: every task for it
// is rejected, so init refuses it (tested below) instead of writing a task that cannot validate.
const isTimeSeries = (id: string) => /(^|\/)time_series$/.test(id);

describe('dgt init task --builder B', () => {
  it('writes a task that passes dgt validate --strict, for every builder and alias', async () => {
    const dir = await tempDir();
    const { all } = await builderIds(dir);
    expect(all.length).toBeGreaterThanOrEqual(16);
    for (const id of all.filter((id) => !isTimeSeries(id))) {
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
    for (const id of primary.filter((id) => !isTimeSeries(id))) {
      // The file's name becomes the task's name, hence its output folder: one per builder.
      const name = id.replaceAll('/', '_');
      const created = await runCli(['init', 'task', `${name}.yaml`, '--builder', id], { cwd: dir });
      expect(created.code, `${id}: ${created.stderr}`).toBe(0);
      const result = await runCli(
        ['run', '--task-paths', `${name}.yaml`, '--engine', 'mock', '--output-dir', 'out'],
        { cwd: dir },
      );
      expect(result.code, `${id}: ${result.stderr}`).toBe(0);
      const records = await readJsonl(path.join(dir, 'out', name, 'final_data.jsonl'));
      expect(records.length, id).toBeGreaterThan(0);
    }
  }, 60_000);
});

describe('dgt init task for a builder that needs a data file', () => {
  it('writes the file beside the task, so the scaffold runs where it was written', async () => {
    const dir = await tempDir();
    const created = await runCli(['init', 'task', 'rag', '--builder', 'public/rag/conversation'], {
      cwd: dir,
    });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('and documents.jsonl beside it');
    const documents = await readJsonl(path.join(dir, 'rag', 'documents.jsonl'));
    expect(documents.length).toBeGreaterThan(0);
    const again = await runCli(['init', 'task', 'rag', '--builder', 'public/rag/conversation'], {
      cwd: dir,
    });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('task.yaml, documents.jsonl already exist');
  });
});

describe('dgt init task --builder time_series', () => {
  it('refuses with the reason the builder gives, and writes nothing', async () => {
    const dir = await tempDir();
    for (const id of ['time_series', 'public/time_series']) {
      const result = await runCli(['init', 'task', 'ts', '--builder', id], { cwd: dir });
      expect(result.code, id).toBe(2);
      expect(result.stderr, id).toContain(`dgt init task --builder ${id}: data_builder:`);
      expect(result.stderr, id).toContain('SDForger');
      expect(result.stderr, id).toContain('Run this task with Python DiGiT');
      expect(existsSync(path.join(dir, 'ts')), id).toBe(false);
    }
  });
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
