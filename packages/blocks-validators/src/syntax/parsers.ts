import { createRequire } from 'node:module';
import { parseAllDocuments } from 'yaml';

/** Languages the `syntax` block parses, each with a real parser. */
export const SYNTAX_LANGUAGES = ['json', 'yaml', 'sql', 'python'] as const;
export type SyntaxLanguage = (typeof SYNTAX_LANGUAGES)[number];

/** Checks one text; resolves to the first syntax error, or `undefined` when it parses. */
export type SyntaxChecker = (text: string) => string | undefined;

const require = createRequire(import.meta.url);

function checkJson(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function checkYaml(text: string): string | undefined {
  for (const document of parseAllDocuments(text, { prettyErrors: true })) {
    const error = document.errors[0];
    if (error) return error.message.split('\n')[0];
  }
  return undefined;
}

async function sqlChecker(dialect: string): Promise<SyntaxChecker> {
  // node-sql-parser is CommonJS and large: loaded only when SQL is checked.
  const { Parser } = (await import('node-sql-parser')).default;
  const parser = new Parser();
  return (text) => {
    try {
      parser.astify(text, { database: dialect });
      return undefined;
    } catch (error) {
      return (error as Error).message.split('\n')[0];
    }
  };
}

async function pythonChecker(): Promise<SyntaxChecker> {
  // tree-sitter's Python grammar, compiled to WebAssembly and shipped in its npm package.
  const { Parser, Language } = await import('web-tree-sitter');
  await Parser.init();
  const language = await Language.load(
    require.resolve('tree-sitter-python/tree-sitter-python.wasm'),
  );
  const parser = new Parser();
  parser.setLanguage(language);
  return (text) => {
    const tree = parser.parse(text);
    if (!tree) return 'the parser gave up';
    try {
      if (!tree.rootNode.hasError) return undefined;
      // The first error or missing node, depth first.
      const stack = [tree.rootNode];
      while (stack.length) {
        const node = stack.shift()!;
        if (node.isError || node.isMissing) {
          const { row, column } = node.startPosition;
          const what = node.isMissing
            ? `missing ${node.type}`
            : `unexpected ${JSON.stringify(node.text.slice(0, 30))}`;
          return `${what} at line ${row + 1}, column ${column + 1}`;
        }
        if (node.hasError) stack.unshift(...node.children.filter((child) => child !== null));
      }
      return 'syntax error';
    } finally {
      tree.delete();
    }
  };
}

/** Creates the checker of a language (parsers are loaded on first use). */
export async function createSyntaxChecker(
  language: SyntaxLanguage,
  options: { dialect: string },
): Promise<SyntaxChecker> {
  switch (language) {
    case 'json':
      return checkJson;
    case 'yaml':
      return checkYaml;
    case 'sql':
      return sqlChecker(options.dialect);
    case 'python':
      return pythonChecker();
  }
}
