import { basename, extname, relative, sep } from 'node:path';
import { readUtf8File } from './read-utf8-file.js';

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
  const text = (await readUtf8File(file)).replace(/^\uFEFF/, '');
  return {
    path: relative(baseDir, file).split(sep).join('/'),
    name: basename(file, extname(file)),
    text,
  };
}
