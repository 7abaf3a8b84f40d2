import { readFile } from 'node:fs/promises';
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { DgtError } from '../errors/dgt-error.js';
import { yamlValue } from '../util/yaml-value.js';

/** A parsed YAML file that can still say on which line a key or item stood. */
export type YamlSource = {
  /** The file path (as given), for messages. */
  file: string;
  /** The parsed content as plain JavaScript. */
  data: unknown;
  /** The 1-based line of the node at `path` (or of its nearest existing parent). */
  lineOf(path: readonly PropertyKey[]): number | undefined;
  /** `file:line` for the node at `path`, or just `file` when unknown. */
  where(path: readonly PropertyKey[]): string;
};

/** Parses YAML text; syntax errors become a {@link DgtError} naming `file:line:col`. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const [error] = doc.errors;
  if (error) {
    const pos = lineCounter.linePos(error.pos[0]);
    const at = `${file}:${pos.line}:${pos.col}`;
    const detail = error.message.split('\n')[0];
    throw new DgtError(
      'YAML_SYNTAX',
      `${at}: invalid YAML: ${detail}. Fix the syntax at that line (check indentation, colons and quotes).`,
    );
  }
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    let node: unknown = doc.contents;
    let offset: number | undefined = rangeStart(node);
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isScalar(item.key) && String(item.key.value) === String(key),
        );
        if (!pair) break;
        offset = rangeStart(pair.key) ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        const item = node.items[key];
        if (item === undefined) break;
        offset = rangeStart(item) ?? offset;
        node = item;
      } else {
        break;
      }
    }
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
  return {
    file,
    data: yamlValue(doc, file, 'YAML_SYNTAX'),
    lineOf,
    where(path) {
      const line = lineOf(path);
      return line === undefined ? file : `${file}:${line}`;
    },
  };
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}

/** Reads and parses a YAML file; a missing file is a {@link DgtError} naming it. */
export async function readYamlSource(file: string): Promise<YamlSource> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DgtError(
      'TASK_FILE_NOT_FOUND',
      code === 'ENOENT'
        ? `${file}: no such file. Check the path (it is resolved from the current directory).`
        : `${file}: cannot read (${code ?? String(error)}). Check the file's permissions.`,
      { cause: error },
    );
  }
  return parseYamlSource(text, file);
}
