import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { parse as parseYaml } from 'yaml';
import { checkInputFile } from '../datastore/data-path.js';
import { DgtError, isDgtError } from '../errors/dgt-error.js';

/** A file an `include:` loaded: the key it fills, where it is, its size and content hash. */
export type IncludedFile = { key: string; path: string; bytes: number; sha256: string };

/**
 * Applies a task's `include:` mapping (DiGiT semantics): every leaf is a path (or a list of
 * paths) whose content is loaded and merged into the task under the same keys. Lists are
 * appended to what the task already has, mappings are merged, anything else replaces.
 * YAML and JSON files give their data, JSONL a list of records, other files their text.
 *
 * A leaf may also be a glob (`*`, `?`, `[…]`, `{a,b}`, and `**` across folders) or a folder
 * (every file below it, hidden ones skipped): it stands for the matching files in sorted order,
 * loaded as an explicit list of them would be. Paths and patterns are relative to `baseDir`.
 *
 * @example
 * ```yaml
 * include:
 *   seed_examples: seeds/*.yaml # the lists of every match, concatenated
 *   documents: docs/            # the text of every file under docs/
 * ```
 */
export async function applyIncludes(
  task: Record<string, unknown>,
  baseDir: string,
  where: string,
  included: IncludedFile[] = [],
): Promise<Record<string, unknown>> {
  const include = task.include;
  if (include === undefined || include === null) return task;
  if (typeof include !== 'object' || Array.isArray(include)) {
    throw new DgtError(
      'INVALID_TASK',
      `${where}: include must be a mapping of keys to file paths, e.g. include: {seed_examples: extra.yaml}.`,
    );
  }
  const { include: _, ...rest } = task;
  const loaded = await loadLeaves(
    include as Record<string, unknown>,
    baseDir,
    where,
    ['include'],
    included,
  );
  return mergeInto(rest, loaded as Record<string, unknown>);
}

async function loadLeaves(
  node: unknown,
  baseDir: string,
  where: string,
  keyPath: string[],
  included: IncludedFile[],
): Promise<unknown> {
  if (typeof node === 'string') {
    const files = await resolveLeaf(node, baseDir, where, keyPath);
    if (typeof files === 'string') return loadFile(files, where, keyPath, included);
    return loadList(
      files.map((file) => ({ file, keyPath })),
      baseDir,
      where,
      included,
    );
  }
  if (Array.isArray(node)) {
    // A pattern or folder inside a list is spliced in where it stands, so `[intro.md, ch/*.md]`
    // reads exactly like the list with every chapter written out.
    const items = await Promise.all(
      node.map(async (item, i): Promise<ListItem[]> => {
        const itemPath = [...keyPath, String(i)];
        if (typeof item !== 'string') return [{ node: item, keyPath: itemPath }];
        const files = await resolveLeaf(item, baseDir, where, itemPath);
        return typeof files === 'string'
          ? [{ file: files, keyPath: itemPath }]
          : files.map((file) => ({ file, keyPath: itemPath }));
      }),
    );
    return loadList(items.flat(), baseDir, where, included);
  }
  if (node !== null && typeof node === 'object') {
    const entries = await Promise.all(
      Object.entries(node).map(
        async ([key, value]) =>
          [key, await loadLeaves(value, baseDir, where, [...keyPath, key], included)] as const,
      ),
    );
    return Object.fromEntries(entries);
  }
  throw new DgtError(
    'INVALID_TASK',
    `${where}: ${keyPath.join('.')}: expected a file path, found ${String(node)}.`,
  );
}

/** One entry of a list leaf once patterns are expanded: a resolved file, or a nested node. */
type ListItem = { file: string; keyPath: string[] } | { node: unknown; keyPath: string[] };

/**
 * Loads the entries of a list leaf. When every entry gives a list (seed files), the lists are
 * concatenated; otherwise (documents) each entry is one element.
 */
async function loadList(
  items: ListItem[],
  baseDir: string,
  where: string,
  included: IncludedFile[],
): Promise<unknown[]> {
  const parts = await Promise.all(
    items.map((item) =>
      'file' in item
        ? loadFile(item.file, where, item.keyPath, included)
        : loadLeaves(item.node, baseDir, where, item.keyPath, included),
    ),
  );
  return parts.every(Array.isArray) ? parts.flat() : parts;
}

/**
 * Turns one path of an `include:` leaf into the file to load (a literal path, returned as is
 * even when missing so that {@link loadFile} reports it as before) or, for a folder or a glob,
 * the sorted list of files it stands for.
 */
async function resolveLeaf(
  entry: string,
  baseDir: string,
  where: string,
  keyPath: string[],
): Promise<string | string[]> {
  const absolute = path.resolve(baseDir, entry);
  const info = await stat(absolute).catch(() => undefined);
  if (info?.isDirectory()) {
    // Hidden entries (.DS_Store, .git/) are never documents or seeds, and would break a merge.
    const files = await glob('**/*', {
      cwd: absolute,
      absolute: true,
      onlyFiles: true,
      dot: false,
    });
    if (files.length === 0) {
      throw new DgtError(
        'DATA_FILE',
        `${where}: ${keyPath.join('.')}: the folder ${entry} (${absolute}) holds no file to include. Add files to it, or point ${keyPath.join('.')} at files or a glob that matches some.`,
      );
    }
    return sortPaths(files);
  }
  // An existing path wins over its reading as a pattern: a file may well be named `notes[1].md`.
  if (info || !isDynamicPattern(entry)) return absolute;
  const files = await glob(entry, { cwd: baseDir, absolute: true, onlyFiles: true });
  if (files.length === 0) {
    throw new DgtError(
      'DATA_FILE',
      `${where}: ${keyPath.join('.')}: the pattern ${entry} matches no file (relative patterns start at the task file's folder, ${baseDir}). Fix the pattern, add the files, or remove the entry.`,
    );
  }
  return sortPaths(files);
}

/**
 * Sorts by code unit, not locale, so that the same files give the same order (and the same
 * requests) on every machine.
 */
function sortPaths(files: string[]): string[] {
  return files.map((file) => path.normalize(file)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function loadFile(
  file: string,
  where: string,
  keyPath: string[],
  included: IncludedFile[],
): Promise<unknown> {
  let text: string;
  try {
    // A pipe or a device would block the read or never end it: included files are files.
    await checkInputFile(file);
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isDgtError(error)) {
      throw new DgtError('DATA_FILE', `${where}: ${keyPath.join('.')}: ${error.message}`);
    }
    throw new DgtError(
      'DATA_FILE',
      `${where}: ${keyPath.join('.')}: cannot read ${file}. Check the path (relative paths start at the task file's folder).`,
    );
  }
  included.push({
    key: keyPath.slice(1).join('.'),
    path: file,
    bytes: Buffer.byteLength(text),
    sha256: createHash('sha256').update(text).digest('hex'),
  });
  const ext = path.extname(file).toLowerCase();
  try {
    if (ext === '.yaml' || ext === '.yml') return parseYaml(text);
    if (ext === '.json') return JSON.parse(text);
    if (ext === '.jsonl') {
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line));
    }
  } catch (error) {
    throw new DgtError(
      'DATA_FILE',
      `${file}: cannot parse (${(error as Error).message.split('\n')[0]}); it is included by ${where} (${keyPath.join('.')}).`,
    );
  }
  return text;
}

function mergeInto(
  target: Record<string, unknown>,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    if (Array.isArray(current) && Array.isArray(value)) out[key] = [...current, ...value];
    else if (isPlainObject(current) && isPlainObject(value)) out[key] = mergeInto(current, value);
    else out[key] = value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
