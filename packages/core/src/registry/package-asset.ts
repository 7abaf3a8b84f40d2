import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The absolute path of a file shipped in a plugin package (a builder YAML, a prompt template),
 * given the calling module's `import.meta.url` and a path relative to the package root. Works the
 * same from `src/` under tests and from the bundled `dist/`.
 *
 * @example
 * export default defineBuilder({ config: packageAsset(import.meta.url, 'assets/qa/qa.yaml'), ... });
 */
export function packageAsset(importMetaUrl: string, relativePath: string): string {
  let dir = path.dirname(fileURLToPath(importMetaUrl));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(importMetaUrl)}`);
    dir = parent;
  }
  return path.join(dir, relativePath);
}
