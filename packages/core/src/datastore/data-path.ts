import { stat } from 'node:fs/promises';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { DatastoreInitContext } from '../contracts/v1/datastore.js';
import { DgtError } from '../errors/dgt-error.js';
import type { DatastoreConfig } from './datastore-config.js';
import type { JsonlReadOptions } from './jsonl-reader.js';

/**
 * How a user's input files (named by `data_path`) are read: strictly (see `readLines`), with
 * the run's signal, and only when they are regular files unless `allow_special_files` is set.
 */
export type InputReading = JsonlReadOptions & { allowSpecialFiles?: boolean };

/**
 * Where a store's data lives: one file, every file of a folder, or the files a glob matches.
 * `input` is set when the path came from `data_path` (a user's input).
 */
export type StoreTarget =
  /** `explicit`: the path came from `data_path` (input data), so it must exist to be read. */
  | { kind: 'file'; path: string; explicit: boolean; input?: InputReading }
  | { kind: 'folder'; path: string; input?: InputReading }
  | { kind: 'glob'; pattern: string; cwd: string; input?: InputReading };

/**
 * Resolves a datastore mapping to its target. With `data_path`: a glob when it has glob
 * characters, a folder when it ends with `/` or names an existing folder, else a file; relative
 * paths resolve against `ctx.baseDir`. Without: `<output_dir>/<store_name><extension>`, from the
 * config when it sets them, else from `ctx`.
 */
export async function resolveStoreTarget(
  config: DatastoreConfig,
  ctx: DatastoreInitContext,
  extension: string,
): Promise<StoreTarget> {
  const dataPath = config.data_path;
  if (dataPath !== undefined) {
    const input: InputReading = {
      userInput: true,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(ctx.warn ? { warn: ctx.warn } : {}),
      ...(config.torn_last_line ? { tornLastLine: config.torn_last_line } : {}),
      ...(config.allow_special_files ? { allowSpecialFiles: true } : {}),
    };
    if (isDynamicPattern(dataPath))
      return { kind: 'glob', pattern: dataPath, cwd: ctx.baseDir, input };
    const path = resolve(ctx.baseDir, dataPath);
    if (/[\\/]$/.test(dataPath) || (await isDirectory(path)))
      return { kind: 'folder', path, input };
    await checkInputFile(path, input);
    return { kind: 'file', path, explicit: true, input };
  }
  const outputDir = config.output_dir ? resolve(ctx.baseDir, config.output_dir) : ctx.outputDir;
  const storeName = config.store_name ?? ctx.storeName;
  const fileName = extname(storeName) === extension ? storeName : storeName + extension;
  return { kind: 'file', path: join(outputDir, fileName), explicit: false };
}

/** Where a target points, for messages. */
export function describeTarget(target: StoreTarget): string {
  if (target.kind === 'glob') {
    return isAbsolute(target.pattern) ? target.pattern : join(target.cwd, target.pattern);
  }
  return target.path;
}

/**
 * The files of a folder or glob target, sorted by path so reads are reproducible. A folder is
 * searched recursively and filtered by `extensions` (lowercase, with the dot); a glob's matches
 * are taken as they are. Hidden files (temporary files of atomic writes among them) are skipped.
 * Throws a DgtError when the folder is missing or nothing matches.
 */
export async function listTargetFiles(
  target: Exclude<StoreTarget, { kind: 'file' }>,
  extensions: readonly string[],
): Promise<string[]> {
  let files: string[];
  if (target.kind === 'folder') {
    if (!(await isDirectory(target.path))) {
      throw new DgtError(
        'DATA_FILE',
        `Data folder not found: ${target.path}. Check data_path (relative paths resolve against ` +
          `the task file's folder).`,
      );
    }
    const all = await glob('**/*', { cwd: target.path, absolute: true, onlyFiles: true });
    files = all.filter((file) => extensions.includes(extname(file).toLowerCase()));
    if (files.length === 0) {
      throw new DgtError(
        'DATA_FILE',
        `No data files in ${target.path} (looked for ${extensions.join(', ')}). Put the data ` +
          `there or point data_path at the files.`,
      );
    }
  } else {
    files = await glob(target.pattern, { cwd: target.cwd, absolute: true, onlyFiles: true });
    if (files.length === 0) {
      throw new DgtError(
        'DATA_FILE',
        `No files match data_path '${target.pattern}' (searched from ${target.cwd}). Check the ` +
          `pattern in the task file.`,
      );
    }
  }
  const sorted = files.map((file) => resolve(file)).sort();
  for (const file of sorted) await checkInputFile(file, target.input);
  return sorted;
}

/**
 * Refuses an input that is not a regular file (a FIFO, a device, a socket) unless the datastore
 * says `allow_special_files: true`: reading one can block forever (a pipe nobody writes to) or
 * never end (`/dev/zero`). A missing file is left to the reader, which names it.
 */
export async function checkInputFile(path: string, input: InputReading = {}): Promise<void> {
  if (input.allowSpecialFiles) return;
  const info = await stat(path).catch(() => undefined);
  if (!info || info.isFile() || info.isDirectory()) return;
  const what = info.isFIFO()
    ? 'a named pipe (FIFO)'
    : info.isCharacterDevice() || info.isBlockDevice()
      ? 'a device'
      : info.isSocket()
        ? 'a socket'
        : 'not a regular file';
  throw new DgtError(
    'DATA_FILE',
    `${path} is ${what}, not a regular file. DGT reads input data from regular files; copy the data into a file, or set allow_special_files: true on the datastore if reading from it is intended.`,
  );
}

/** The DgtError for an input file that is not there. */
export function missingFileError(path: string): DgtError {
  return new DgtError(
    'DATA_FILE',
    `Data file not found: ${path}. Check data_path in the task file (relative paths resolve ` +
      `against the task file's folder), or create the file.`,
  );
}

/** True when `path` is an existing folder. */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** True when `path` exists (file or folder). */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
