import { readdir } from 'node:fs/promises';
import path from 'node:path';

// Files only a DGT task folder holds: one of them marks a folder as a task's.
const MARKERS = new Set(['data.jsonl', 'task_card.jsonl', 'task_results.jsonl']);
const MAX_DEPTH = 6;

/**
 * The store names (folder paths relative to `root`, with `/`) of every task folder under
 * `root`: task names may contain slashes (`examples/geography_qa`), so the walk goes a few
 * levels deep. `blocks/` folders (reject stores) and hidden folders are skipped; symbolic links
 * are not followed, so nothing outside `root` is listed.
 */
export async function findTaskFolders(root: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(dir: string, depth: number): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    if (entries.some((entry) => entry.isFile() && MARKERS.has(entry.name)))
      found.push(path.relative(root, dir).split(path.sep).join('/'));
    if (depth >= MAX_DEPTH) return;
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name === 'blocks' || entry.name.startsWith('.')) continue;
      await walk(path.join(dir, entry.name), depth + 1);
    }
  }
  await walk(root, 0);
  return found.filter((name) => name !== '').sort();
}

/**
 * The folder of a store name, if it lies inside `root`: the name must be relative, without `..`
 * segments, and resolve under `root`. Callers also check the name against the folders found by
 * {@link findTaskFolders}; this is the second line of defence.
 */
export function folderInside(root: string, storeName: string): string | undefined {
  if (storeName === '' || storeName.includes('\0') || path.isAbsolute(storeName)) return undefined;
  if (storeName.split(/[\\/]/).some((part) => part === '..' || part === '')) return undefined;
  const resolved = path.resolve(root, storeName);
  const relative = path.relative(root, resolved);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return resolved;
}
