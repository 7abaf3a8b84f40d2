import path from 'node:path';
import { packageAsset } from '@dgt/core';

/**
 * The CLI's own package folder. Its dependencies (the first-party builders and blocks) are a
 * fallback plugin source, so `npx @dgt/cli run` works in a folder with no package.json.
 */
export function cliPackageRoot(): string {
  return path.dirname(packageAsset(import.meta.url, 'package.json'));
}
