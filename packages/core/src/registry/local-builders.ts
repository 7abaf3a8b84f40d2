import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { DgtError } from '../errors/dgt-error.js';

/** A builder found in a local folder: its YAML names it, a JavaScript module beside it holds the code. */
export type LocalBuilder = { id: string; folder: string; load(): Promise<unknown> };

const CODE_FILES = [
  'index.mjs',
  'index.js',
  'builder.mjs',
  'builder.js',
  'generate.mjs',
  'generate.js',
];

/**
 * Finds builders below a folder (`--include-builder-paths`), as DiGiT does: every YAML file with
 * `name:` and `blocks:` is a builder config, and the builder code is the module beside it
 * (index/builder/generate `.mjs`/`.js`) exporting a databuilder as default. The YAML found there
 * replaces the code's own `config`.
 */
export async function findLocalBuilders(root: string): Promise<LocalBuilder[]> {
  const found: LocalBuilder[] = [];
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => {
    throw new DgtError(
      'TASK_FILE_NOT_FOUND',
      `${root}: builder folder not found (--include-builder-paths). Check the path.`,
    );
  });
  for (const entry of entries) {
    if (!entry.isFile() || !/\.ya?ml$/.test(entry.name)) continue;
    const folder = entry.parentPath;
    // Dependencies below the folder are not the user's builders; the folder itself may still lie
    // inside node_modules (builders shipped in a package).
    if (path.relative(root, folder).split(path.sep).includes('node_modules')) continue;
    const yamlPath = path.join(folder, entry.name);
    let config: unknown;
    try {
      config = parseYaml(await readFile(yamlPath, 'utf8'));
    } catch {
      continue; // not a builder config (task files and data may sit in the same tree)
    }
    const c = config as { name?: unknown; blocks?: unknown } | null;
    if (!c || typeof c.name !== 'string' || !Array.isArray(c.blocks)) continue;
    const files = await readdir(folder);
    const code = CODE_FILES.find((file) => files.includes(file));
    if (!code) continue;
    found.push({
      id: c.name,
      folder,
      load: async () => {
        const module = (await import(pathToFileURL(path.join(folder, code)).href)) as {
          default?: unknown;
        };
        const builder = (module.default ?? module) as Record<string, unknown>;
        return { ...builder, config: yamlPath };
      },
    });
  }
  return found;
}
