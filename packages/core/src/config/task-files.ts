import { stat } from 'node:fs/promises';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { DgtError } from '../errors/dgt-error.js';

/**
 * Expands `--task-paths` entries into task files: a file is taken as is, a folder yields every
 * `task.yaml`/`task.yml` below it, a glob yields its matches. Order is stable and duplicates are
 * dropped.
 */
export async function resolveTaskFiles(entries: readonly string[], cwd: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of entries) {
    const absolute = path.resolve(cwd, entry);
    if (isDynamicPattern(entry)) {
      const matches = await glob(entry, { cwd, absolute: true, onlyFiles: true });
      if (matches.length === 0) {
        throw new DgtError(
          'TASK_FILE_NOT_FOUND',
          `${entry}: the pattern matches no file. Check the path and quote the pattern in your shell.`,
        );
      }
      files.push(...matches.sort());
      continue;
    }
    const info = await stat(absolute).catch(() => undefined);
    if (!info) {
      throw new DgtError(
        'TASK_FILE_NOT_FOUND',
        `${entry}: no such file or folder. Give the path of a task.yaml, a folder of tasks or a glob.`,
      );
    }
    if (info.isDirectory()) {
      const matches = await glob('**/task.{yaml,yml}', {
        cwd: absolute,
        absolute: true,
        ignore: ['**/node_modules/**'],
      });
      if (matches.length === 0) {
        throw new DgtError(
          'TASK_FILE_NOT_FOUND',
          `${entry}: the folder holds no task.yaml. Point at a task file or a folder containing one.`,
        );
      }
      files.push(...matches.sort());
    } else {
      files.push(absolute);
    }
  }
  return [...new Set(files)];
}
