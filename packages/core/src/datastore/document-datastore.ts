import { resolve } from 'node:path';
import { isDynamicPattern } from 'tinyglobby';
import { defineDatastore } from '../contracts/define.js';
import type { DatastoreV1 } from '../contracts/v1/datastore.js';
import { DgtError } from '../errors/dgt-error.js';
import { datastoreConfigSchema } from './datastore-config.js';
import { createFileSetDatastore } from './file-set-datastore.js';

/** Options of {@link createDocumentDatastore}. */
export type DocumentDatastoreOptions = {
  /** The folder a relative `dataPath` (and each record's `path`) is relative to. Default: cwd. */
  baseDir?: string;
};

/**
 * A read-only datastore of text or markdown documents: `dataPath` is a file, a folder (its
 * `.md`, `.markdown` and `.txt` files, recursively) or a glob (every file it matches). Each file
 * is one record `{ path, name, text }`, in path order. `append`, `write` and `clear` throw.
 *
 * @example
 * const docs = createDocumentDatastore('knowledge/*.md', { baseDir: taskDir });
 * for await (const doc of docs.read()) console.log(doc.name, doc.text.length);
 */
export function createDocumentDatastore(
  dataPath: string,
  options: DocumentDatastoreOptions = {},
): DatastoreV1 {
  const baseDir = options.baseDir ?? process.cwd();
  const target = isDynamicPattern(dataPath)
    ? { kind: 'glob' as const, pattern: dataPath, cwd: baseDir }
    : { kind: 'file' as const, path: resolve(baseDir, dataPath), explicit: true };
  return createFileSetDatastore(target, { format: 'documents', baseDir });
}

function defineDocumentDatastore(type: string, description: string) {
  return defineDatastore({
    description,
    configSchema: datastoreConfigSchema,
    create(config, ctx) {
      if (config.data_path === undefined) {
        throw new DgtError(
          'INVALID_TASK',
          `The '${type}' datastore reads documents and needs a data_path: a file, a folder or a ` +
            `glob such as docs/**/*.md.`,
        );
      }
      return createDocumentDatastore(config.data_path, { baseDir: ctx.baseDir });
    },
  });
}

/** The `text` datastore type: documents from a file, folder or glob (read-only). */
export const textDatastore = defineDocumentDatastore(
  'text',
  'Text or markdown documents (a file, a folder or a glob), one record { path, name, text } per file.',
);

/** The `markdown` datastore type: the same reader as `text`, under the name users look for. */
export const markdownDatastore = defineDocumentDatastore(
  'markdown',
  'Markdown or text documents (a file, a folder or a glob), one record { path, name, text } per file.',
);
