import { isSeq, LineCounter, parseDocument, stringify } from 'yaml';
import type { StoredRecord } from '../contracts/v1/datastore.js';
import { DgtError } from '../errors/dgt-error.js';
import { yamlValue } from '../util/yaml-value.js';
import { describeJsonType, isRecordObject } from './jsonl-reader.js';
import { readUtf8File } from './read-utf8-file.js';
import type { RecordFileCodec } from './record-file-codec.js';

/**
 * Parses the text of a YAML file holding a list of mappings (an empty file holds none).
 * Errors name `file:line:column`.
 */
export function parseYamlRecords(text: string, path: string): StoredRecord[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const [error] = doc.errors;
  if (error) {
    const at = lineCounter.linePos(error.pos[0]);
    throw new DgtError(
      'DATA_FILE',
      `${path}:${at.line}:${at.col}: not valid YAML (${error.message}). Fix the file.`,
      { cause: error },
    );
  }
  const value: unknown = yamlValue(doc, path, 'DATA_FILE');
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value) || !isSeq(doc.contents)) {
    throw new DgtError(
      'DATA_FILE',
      `${path}: expected a YAML list of mappings (lines starting with '- '), got ` +
        `${describeJsonType(value)}.`,
    );
  }
  const items = doc.contents.items;
  value.forEach((item, index) => {
    if (!isRecordObject(item)) {
      const node = items[index] as { range?: [number, number, number] } | undefined;
      const at = node?.range ? lineCounter.linePos(node.range[0]) : undefined;
      const where = at ? `${path}:${at.line}` : path;
      throw new DgtError(
        'DATA_FILE',
        `${where}: list item ${index} is ${describeJsonType(item)}, not a mapping.`,
      );
    }
  });
  return value as StoredRecord[];
}

/** YAML files holding a list of records; each record is written as one list entry. */
export const yamlCodec: RecordFileCodec = {
  format: 'YAML',
  async *read(path) {
    yield* parseYamlRecords(await readUtf8File(path), path);
  },
  async *serialize(records) {
    let empty = true;
    for await (const record of records) {
      empty = false;
      yield stringify([record]);
    }
    if (empty) yield '[]\n';
  },
};
