import { existsSync } from 'node:fs';
import path from 'node:path';
import { DgtError, openDatastore, type StoredRecord } from '@dgt/core';
import { chunkWords } from '../shared/chunk-text.js';

/** A document of a knowledge task: its name and its text. */
export type KnowledgeDocument = { name: string; text: string };

/** A piece of a document that one request asks questions about. */
export type DocumentChunk = { document: string; text: string };

function textOfRecord(record: unknown): string | undefined {
  if (typeof record === 'string') return record;
  if (record === null || typeof record !== 'object') return undefined;
  const object = record as Record<string, unknown>;
  const text = object.content ?? object.text ?? object.document;
  return typeof text === 'string' ? text : undefined;
}

function nameOfRecord(record: unknown): string | undefined {
  if (record === null || typeof record !== 'object') return undefined;
  const object = record as Record<string, unknown>;
  const name = object.name ?? object.title ?? object.path ?? object.id;
  return typeof name === 'string' || typeof name === 'number' ? String(name) : undefined;
}

/** True when a `documents:` value is a datastore mapping (`{type, data_path}`), not documents. */
export function isDatastoreMapping(value: unknown): value is Record<string, unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    typeof (value as Record<string, unknown>).data_path === 'string'
  );
}

/**
 * The documents given in a task's `documents:` key, as `include: {documents: {name: file}}`
 * leaves them (DiGiT's form): each key names a text, a list of texts, or records with a
 * `content` (or `text`) field (a JSONL file). A bare text or list is also accepted.
 */
export function inlineDocuments(documents: unknown, where: string): KnowledgeDocument[] {
  const out: KnowledgeDocument[] = [];
  const add = (group: string, value: unknown) => {
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, i) => {
      const text = textOfRecord(item);
      if (text === undefined) {
        throw new DgtError(
          'INVALID_TASK',
          `${where}: documents.${group}${items.length > 1 ? `[${i}]` : ''} is not a text or a record with a content field. Give documents as include: {documents: {name: file.md}}.`,
        );
      }
      const name = nameOfRecord(item) ?? (items.length > 1 ? `${group}#${i + 1}` : group);
      out.push({ name, text });
    });
  };
  if (typeof documents === 'string' || Array.isArray(documents)) add('document', documents);
  else if (documents !== null && typeof documents === 'object') {
    for (const [group, value] of Object.entries(documents)) add(group, value);
  }
  return out;
}

/**
 * Reads the documents of a datastore mapping (`markdown`, `text`, `default` over `.md`/`.txt`
 * files, JSONL records with `content` or `text`). A relative `data_path` is taken from the task
 * file's folder, or else, as DiGiT does, from the folder the run starts in.
 */
export async function datastoreDocuments(
  mapping: Record<string, unknown>,
  where: string,
  taskDir?: string,
): Promise<KnowledgeDocument[]> {
  const dataPath = typeof mapping.data_path === 'string' ? mapping.data_path : undefined;
  const fromTask =
    taskDir &&
    dataPath &&
    !path.isAbsolute(dataPath) &&
    existsSync(path.resolve(taskDir, dataPath));
  const baseDir = fromTask ? taskDir : process.cwd();
  const store = await openDatastore(mapping as { type?: string }, {
    outputDir: baseDir,
    storeName: 'knowledge',
    baseDir,
  });
  const out: KnowledgeDocument[] = [];
  try {
    let i = 0;
    for await (const record of store.read() as AsyncIterable<StoredRecord>) {
      i++;
      const text = textOfRecord(record);
      if (text === undefined) {
        throw new DgtError(
          'DATA_FILE',
          `${where}: record ${i} of ${store.location} has no content or text field.`,
        );
      }
      out.push({ name: nameOfRecord(record) ?? `${path.basename(store.location)}#${i}`, text });
    }
  } finally {
    await store.close();
  }
  return out;
}

/** Every chunk of every document, in document order. */
export function chunkDocuments(
  documents: readonly KnowledgeDocument[],
  chunkSize: number,
): DocumentChunk[] {
  return documents.flatMap((doc) =>
    chunkWords(doc.text, chunkSize).map((text) => ({ document: doc.name, text })),
  );
}
