/** A 1-based line and column in a text. */
export type TextPosition = { line: number; column: number };

/** The 1-based line and column of a character offset. */
export function positionAt(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class JsonSyntaxStop {
  constructor(readonly offset: number) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = '"\\/bfnrtu';

/**
 * Where the first JSON syntax error of `text` is, or `undefined` if it is valid JSON. Node 20's
 * `JSON.parse` errors carry no position, and messages must name the line, so this re-scans the
 * text (only ever after `JSON.parse` has failed).
 */
export function findJsonSyntaxError(text: string): TextPosition | undefined {
  let i = 0;
  const stop = (): never => {
    throw new JsonSyntaxStop(i);
  };
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const expect = (char: string): void => {
    if (text[i] !== char) stop();
    i++;
  };
  const string = (): void => {
    expect('"');
    for (;;) {
      const char = text[i];
      if (char === undefined || char.charCodeAt(0) < 0x20) stop();
      i++;
      if (char === '"') return;
      if (char === '\\') {
        const escaped = text[i];
        if (escaped === undefined || !ESCAPES.includes(escaped)) stop();
        i++;
        if (escaped === 'u') {
          for (let k = 0; k < 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) stop();
            i++;
          }
        }
      }
    }
  };
  // Objects and arrays: members separated by commas up to the closing bracket.
  const members = (close: string, member: () => void): void => {
    i++;
    skipSpace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      member();
      skipSpace();
      if (text[i] !== ',') break;
      i++;
    }
    expect(close);
  };
  const value = (): void => {
    skipSpace();
    const char = text[i];
    if (char === '{') {
      members('}', () => {
        skipSpace();
        string();
        skipSpace();
        expect(':');
        value();
      });
    } else if (char === '[') {
      members(']', value);
    } else if (char === '"') {
      string();
    } else {
      const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, i));
      if (literal) {
        i += literal.length;
        return;
      }
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) stop();
      i = NUMBER.lastIndex;
    }
  };
  try {
    value();
    skipSpace();
    if (i < text.length) stop();
    return undefined;
  } catch (error) {
    if (error instanceof JsonSyntaxStop) return positionAt(text, error.offset);
    throw error;
  }
}
