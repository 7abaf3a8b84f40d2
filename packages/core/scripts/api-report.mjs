#!/usr/bin/env node
// Writes (or, with --check, compares) packages/core/api/core.api.md: the declarations of the
// built public API (dist/index.d.ts) without their doc comments, so the report changes when a
// name, a signature or a type a plugin can see changes, and not when prose does.
// Update after a deliberate API change: `pnpm --filter @dgt/core build && pnpm --filter @dgt/core api:update`.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPORT = path.join(root, 'api/core.api.md');
// Tests point this elsewhere to prove the check fails on a changed API.
const DECLARATIONS = process.env.DGT_API_DECLARATIONS ?? path.join(root, 'dist/index.d.ts');

/** `export { a, type B, … }` written one name per line, sorted, so a change is a one-line diff. */
function oneNamePerLine(text) {
  return text.replace(/^export \{ ([^}]*) \};$/gm, (_, names) => {
    const list = names
      .split(', ')
      .map((name) => name.trim())
      .sort((a, b) => a.replace(/^type /, '').localeCompare(b.replace(/^type /, '')));
    return `export {\n${list.map((name) => `    ${name},`).join('\n')}\n};`;
  });
}

/** The report text for the declarations in `source` (a bundled .d.ts). */
export function apiReport(source) {
  const file = ts.createSourceFile('index.d.ts', source, ts.ScriptTarget.Latest, false);
  const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });
  const body = oneNamePerLine(printer.printFile(file).trim());
  return [
    '## API report for "@dgt/core"',
    '',
    '> Generated from `dist/index.d.ts` by `scripts/api-report.mjs`; do not edit. After a',
    '> deliberate API change run `pnpm --filter @dgt/core build && pnpm --filter @dgt/core api:update`',
    '> and commit this file with the change (see docs: compatibility policy).',
    '',
    '```ts',
    body,
    '```',
    '',
  ].join('\n');
}

export function currentReport() {
  return apiReport(readFileSync(DECLARATIONS, 'utf8'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const report = currentReport();
  if (process.argv.includes('--check')) {
    const saved = readFileSync(REPORT, 'utf8');
    if (saved !== report) {
      console.error(
        'The public API of @dgt/core differs from api/core.api.md. If the change is deliberate, run `pnpm --filter @dgt/core api:update` and commit the report.',
      );
      process.exit(1);
    }
  } else {
    writeFileSync(REPORT, report);
    console.log(`wrote ${path.relative(process.cwd(), REPORT)}`);
  }
}
