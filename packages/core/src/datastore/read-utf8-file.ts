import { readFile } from 'node:fs/promises';
import { DgtError } from '../errors/dgt-error.js';

const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a whole text file (a JSON, YAML or text input) as UTF-8. Bytes that are not UTF-8 are an
 * error naming the file and line, never silently turned into U+FFFD: a user's data is not
 * changed without a word. A byte-order mark is kept (callers that care drop it).
 */
export async function readUtf8File(path: string): Promise<string> {
  const bytes = await readFile(path);
  try {
    return strict.decode(bytes);
  } catch {
    const lenient = bytes.toString('utf8');
    const at = lenient.indexOf('\uFFFD');
    const before = lenient.slice(0, Math.max(0, at));
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new DgtError(
      'DATA_FILE',
      `${path}:${line}: not valid UTF-8 text (column ${column}). Save the file as UTF-8, or fix that line.`,
    );
  }
}
