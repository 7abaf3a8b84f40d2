import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isDgtError } from '../errors/dgt-error.js';
import { applyIncludes } from './include.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A temp folder holding `files` (relative path → content), as a task file's folder would. */
async function folderWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dgt-include-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

const WHERE = 'tasks/demo/task.yaml:7';

/** The DgtError `promise` rejects with (fails the test when it resolves or throws a bug). */
async function dgtErrorOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDgtError(error)) throw new Error(`expected a DgtError, got ${String(error)}`);
  return error;
}

describe('applyIncludes', () => {
  it('keeps loading literal paths as before, appending seed lists and reading text', async () => {
    const dir = await folderWith({
      'extra.yaml': '- question: b\n',
      'doc.md': '# Bees\n',
      'more.jsonl': '{"question":"c"}\n\n{"question":"d"}\n',
    });
    const task = await applyIncludes(
      {
        task_name: 't',
        seed_examples: [{ question: 'a' }],
        include: { seed_examples: ['extra.yaml', 'more.jsonl'], documents: 'doc.md' },
      },
      dir,
      WHERE,
    );
    expect(task).toEqual({
      task_name: 't',
      seed_examples: [{ question: 'a' }, { question: 'b' }, { question: 'c' }, { question: 'd' }],
      documents: '# Bees\n',
    });
  });

  it('keeps the error for a literal path that does not exist', async () => {
    const dir = await folderWith({});
    const error = await dgtErrorOf(
      applyIncludes({ include: { seed_examples: 'missing.yaml' } }, dir, WHERE),
    );
    expect(error.code).toBe('DATA_FILE');
    expect(error.message).toBe(
      `${WHERE}: include.seed_examples: cannot read ${path.join(dir, 'missing.yaml')}. Check the path (relative paths start at the task file's folder).`,
    );
  });

  it('merges the lists of every yaml seed file a glob matches, in sorted order', async () => {
    const dir = await folderWith({
      'seeds/b.yaml': '- question: b1\n- question: b2\n',
      'seeds/a.yaml': '- question: a1\n',
      'seeds/c.yml': '- question: not matched\n',
      'seeds/notes.txt': 'not matched either',
    });
    const globbed = await applyIncludes(
      { seed_examples: [{ question: 'own' }], include: { seed_examples: 'seeds/*.yaml' } },
      dir,
      WHERE,
    );
    const listed = await applyIncludes(
      {
        seed_examples: [{ question: 'own' }],
        include: { seed_examples: ['seeds/a.yaml', 'seeds/b.yaml'] },
      },
      dir,
      WHERE,
    );
    expect(globbed.seed_examples).toEqual([
      { question: 'own' },
      { question: 'a1' },
      { question: 'b1' },
      { question: 'b2' },
    ]);
    expect(globbed).toEqual(listed);
  });

  it('recurses with **, and splices a pattern inside a list where it stands', async () => {
    const dir = await folderWith({
      'intro.md': 'intro',
      'docs/z.md': 'z',
      'docs/part1/b.md': 'b',
      'docs/part1/a.md': 'a',
      'docs/part2/deep/c.md': 'c',
      'docs/part2/skip.txt': 'skip',
    });
    const task = await applyIncludes(
      { include: { documents: ['intro.md', 'docs/**/*.md'] } },
      dir,
      WHERE,
    );
    expect(task.documents).toEqual(['intro', 'a', 'b', 'c', 'z']);
    const braces = await applyIncludes(
      { include: { documents: 'docs/{z,part1/a}.md' } },
      dir,
      WHERE,
    );
    expect(braces.documents).toEqual(['a', 'z']);
  });

  it('loads every file under a folder, recursively and sorted, skipping hidden files', async () => {
    const dir = await folderWith({
      'docs/b.md': 'b',
      'docs/a.txt': 'a',
      'docs/sub/c.md': 'c',
      'docs/.DS_Store': 'junk',
      'docs/.git/HEAD': 'junk',
    });
    for (const entry of ['docs', 'docs/']) {
      const task = await applyIncludes({ include: { documents: { bees: entry } } }, dir, WHERE);
      expect(task.documents).toEqual({ bees: ['a', 'b', 'c'] });
    }
  });

  it('resolves patterns from the task folder, and takes absolute ones as they are', async () => {
    const dir = await folderWith({ 'shared/s.yaml': '- question: s\n', 'task/x': '' });
    const relative = await applyIncludes(
      { include: { seed_examples: '../shared/*.yaml' } },
      path.join(dir, 'task'),
      WHERE,
    );
    const absolute = await applyIncludes(
      { include: { seed_examples: `${dir}/shared/*.y?ml` } },
      '/',
      WHERE,
    );
    expect(relative.seed_examples).toEqual([{ question: 's' }]);
    expect(absolute.seed_examples).toEqual([{ question: 's' }]);
  });

  it('reads an existing file whose name looks like a pattern as that file', async () => {
    const dir = await folderWith({ 'notes[1].md': 'literal', 'notes1.md': 'glob match' });
    const task = await applyIncludes({ include: { documents: 'notes[1].md' } }, dir, WHERE);
    expect(task.documents).toBe('literal');
  });

  it('names the task file, the key and the pattern when a pattern matches no file', async () => {
    const dir = await folderWith({ 'docs/a.txt': 'a' });
    const error = await dgtErrorOf(
      applyIncludes({ include: { documents: ['docs/a.txt', 'docs/*.md'] } }, dir, WHERE),
    );
    expect(error.code).toBe('DATA_FILE');
    expect(error.message).toBe(
      `${WHERE}: include.documents.1: the pattern docs/*.md matches no file (relative patterns start at the task file's folder, ${dir}). Fix the pattern, add the files, or remove the entry.`,
    );
  });

  it('rejects an empty folder with a message naming it', async () => {
    const dir = await folderWith({ 'empty/.keep': '' });
    const error = await dgtErrorOf(applyIncludes({ include: { documents: 'empty' } }, dir, WHERE));
    expect(error.code).toBe('DATA_FILE');
    expect(error.message).toContain(`${WHERE}: include.documents: the folder empty`);
    expect(error.message).toContain('holds no file to include');
  });
});
