import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../util/source-files.js';

const here = path.dirname(fileURLToPath(import.meta.url));

// Every `import … from '…'`, `export … from '…'` and `import('…')` specifier of a module.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

/** Imports of `file` that leave the contracts folder (another part of core, or any package). */
export function importsLeaving(file: string, source: string, root: string): string[] {
  const outside: string[] = [];
  for (const [, specifier] of source.matchAll(SPECIFIER)) {
    if (!specifier!.startsWith('.')) {
      outside.push(specifier!);
      continue;
    }
    const target = path.resolve(path.dirname(file), specifier!);
    if (path.relative(root, target).startsWith('..')) outside.push(specifier!);
  }
  return outside;
}

describe('the plugin contract (packages/core/src/contracts)', () => {
  it('imports nothing from the rest of core nor from any package, so v1 changes only on purpose', async () => {
    const offending: string[] = [];
    for (const file of await sourceFiles(here)) {
      const source = await readFile(file, 'utf8');
      for (const specifier of importsLeaving(file, source, here))
        offending.push(`${path.relative(here, file)} imports '${specifier}'`);
    }
    expect(offending).toEqual([]);
  });

  it('the check sees imports that leave the folder, static and dynamic', () => {
    const file = path.join(here, 'v1', 'block.ts');
    const source = [
      "import type { DgtEvent } from '../../events/events.js';",
      "import { z } from 'zod';",
      "export * from './data-point.js';",
      "const m = await import('../../runner/run-tasks.js');",
    ].join('\n');
    expect(importsLeaving(file, source, here)).toEqual([
      '../../events/events.js',
      'zod',
      '../../runner/run-tasks.js',
    ]);
  });
});
