// Writes the JSON Schemas of task and builder files (generated from @dgt/core's zod schemas) into
// packages/core/schemas and packages/cli/schemas. Run after `pnpm build`:
//   pnpm --filter @dgt/cli schemas
// packages/cli/test/json-schemas.test.ts fails when the committed files are out of date.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonSchemaFiles } from '../dist/json-schemas.js';

const packages = fileURLToPath(new URL('../../', import.meta.url));
const written = [];
for (const pkg of ['core', 'cli']) {
  const dir = path.join(packages, pkg, 'schemas');
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(jsonSchemaFiles())) {
    await writeFile(path.join(dir, file), text);
    written.push(path.join(dir, file));
    console.log(`wrote ${path.relative(process.cwd(), path.join(dir, file))}`);
  }
}
// In the repository's own format, so `biome check` stays clean (the test compares parsed JSON).
execFileSync('npx', ['biome', 'format', '--write', ...written], { stdio: 'ignore' });
