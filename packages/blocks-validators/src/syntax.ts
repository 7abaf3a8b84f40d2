import { defineBlock } from '@dgt/core';
import { z } from 'zod';
import { settleRows, textOf, validatorConfigShape } from './shared/validator.js';
import {
  createSyntaxChecker,
  SYNTAX_LANGUAGES,
  type SyntaxChecker,
  type SyntaxLanguage,
} from './syntax/parsers.js';

/** Config of `syntax`. */
export const syntaxConfigSchema = z.looseObject({
  ...validatorConfigShape,
  /** `json`, `yaml`, `sql` or `python`. */
  language: z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(SYNTAX_LANGUAGES)),
  dialect: z
    .string()
    .default('mysql')
    .describe(
      'SQL dialect for `node-sql-parser` (`mysql` default, `postgresql`, `sqlite`, `bigquery`, …).',
    ),
  strip_code_fences: z
    .boolean()
    .default(true)
    .describe(
      'Check the code inside a Markdown fence when the whole text is one fenced block (default).',
    ),
});

const FENCE = /^\s*```[^\n]*\n([\s\S]*?)\n?```\s*$/;

/**
 * `syntax`: parses each row's `input` with a real parser — `JSON.parse`, the `yaml` package,
 * `node-sql-parser` (per `dialect`) or tree-sitter's Python grammar (WebAssembly) — and marks
 * the rows that do not parse, with the parser's message (line and column) as the reason.
 *
 * @example
 * blocks:
 *   - { name: check_sql, type: syntax, language: sql, dialect: postgresql, filter: true, input_map: { query: input } }
 */
export const syntaxBlock = defineBlock({
  role: 'validator',
  description: 'Checks that rows parse as JSON, YAML, SQL or Python (real parsers).',
  configSchema: syntaxConfigSchema,
  create(config) {
    let checker: Promise<SyntaxChecker> | undefined;
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'validator',
      type: config.type,
      name: config.name,
      async call(rows) {
        checker ??= createSyntaxChecker(config.language as SyntaxLanguage, config);
        const check = await checker;
        const reasons = rows.map((row) => {
          let text = textOf(row.input);
          if (config.strip_code_fences) text = FENCE.exec(text)?.[1] ?? text;
          if (!text.trim()) return `empty ${config.language}`;
          const error = check(text);
          return error === undefined ? undefined : `invalid ${config.language}: ${error}`;
        });
        return settleRows(rows, reasons, config.filter);
      },
    };
  },
});

export default syntaxBlock;
