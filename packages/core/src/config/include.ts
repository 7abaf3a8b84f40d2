import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DgtError } from '../errors/dgt-error.js';

/**
 * Applies a task's `include:` mapping (DiGiT semantics): every leaf is a path (or a list of
 * paths) whose content is loaded and merged into the task under the same keys. Lists are
 * appended to what the task already has, mappings are merged, anything else replaces.
 * YAML and JSON files give their data, JSONL a list of records, other files their text.
 */
export async function applyIncludes(
  task: Record<string, unknown>,
  baseDir: string,
  where: string,
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
  const loaded = await loadLeaves(include as Record<string, unknown>, baseDir, where, ['include']);
  return mergeInto(rest, loaded as Record<string, unknown>);
}

async function loadLeaves(
  node: unknown,
  baseDir: string,
  where: string,
  keyPath: string[],
): Promise<unknown> {
  if (typeof node === 'string') return loadFile(path.resolve(baseDir, node), where, keyPath);
  if (Array.isArray(node)) {
    const parts = await Promise.all(
      node.map((item, i) => loadLeaves(item, baseDir, where, [...keyPath, String(i)])),
    );
    return parts.every(Array.isArray) ? parts.flat() : parts;
  }
  if (node !== null && typeof node === 'object') {
    const entries = await Promise.all(
      Object.entries(node).map(
        async ([key, value]) =>
          [key, await loadLeaves(value, baseDir, where, [...keyPath, key])] as const,
      ),
    );
    return Object.fromEntries(entries);
  }
  throw new DgtError(
    'INVALID_TASK',
    `${where}: ${keyPath.join('.')}: expected a file path, found ${String(node)}.`,
  );
}

async function loadFile(file: string, where: string, keyPath: string[]): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new DgtError(
      'DATA_FILE',
      `${where}: ${keyPath.join('.')}: cannot read ${file}. Check the path (relative paths start at the task file's folder).`,
    );
  }
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
