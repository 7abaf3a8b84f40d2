import { readFile } from 'node:fs/promises';
import { Transform } from 'node:stream';
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

/**
 * A stream transform that passes UTF-8 bytes through as text and fails, naming the file, line
 * and column, at the first bytes that are not UTF-8 (for streamed inputs such as CSV).
 */
export function strictUtf8(path: string): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let column = 1;
  const advance = (text: string) => {
    const lines = text.split('\n');
    line += lines.length - 1;
    column = lines.length > 1 ? lines.at(-1)!.length + 1 : column + text.length;
  };
  return new Transform({
    decodeStrings: true,
    transform(chunk: Buffer, _encoding, done) {
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        const good = Buffer.from(chunk.toString('utf8').split('\uFFFD')[0] ?? '', 'utf8');
        advance(good.toString('utf8'));
        done(
          new DgtError(
            'DATA_FILE',
            `${path}:${line}: not valid UTF-8 text (column ${column}). Save the file as UTF-8, or fix that line.`,
          ),
        );
        return;
      }
      advance(text);
      done(null, text);
    },
  });
}
