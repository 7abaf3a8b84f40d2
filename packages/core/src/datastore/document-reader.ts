import { readFile } from 'node:fs/promises';
import { basename, extname, relative, sep } from 'node:path';

/** A text or markdown document read as a record. */
export type DocumentRecord = {
  /** The file's path relative to the base folder (the task file's folder), with `/` separators. */
  path: string;
  /** The file name without its extension (`intro` for `docs/intro.md`). */
  name: string;
  /** The whole content, UTF-8, without a byte-order mark. */
  text: string;
};

/** Reads one document file as a {@link DocumentRecord}. */
export async function readDocument(file: string, baseDir: string): Promise<DocumentRecord> {
  const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  return {
    path: relative(baseDir, file).split(sep).join('/'),
    name: basename(file, extname(file)),
    text,
  };
}
