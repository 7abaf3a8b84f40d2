#!/usr/bin/env node
// The `dgt` command. This launcher is committed (dist/ is not), so package managers can link the
// bin even before the package is built, as in a fresh clone of the repository.
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  console.error(
    'dgt: @dgt/cli is not built yet (dist/bin.js is missing). In the DGT repository run `pnpm install && pnpm build` (or `pnpm example`), then try again.',
  );
  process.exitCode = 1;
}
