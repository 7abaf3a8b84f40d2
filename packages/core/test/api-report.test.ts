import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const script = path.join(packageRoot, 'scripts/api-report.mjs');

/** Runs the report check; with `declarations`, against that file instead of the build. */
async function check(declarations?: string) {
  const env = { ...process.env, ...(declarations ? { DGT_API_DECLARATIONS: declarations } : {}) };
  return run(process.execPath, [script, '--check'], { env }).then(
    () => ({ ok: true, stderr: '' }),
    (error: { stderr: string }) => ({ ok: false, stderr: error.stderr }),
  );
}

// The report is made from the built declarations: `pnpm test` builds before it runs vitest.
describe('the public API of @dgt/core (api/core.api.md)', () => {
  it('matches the built declarations; update it with `pnpm --filter @dgt/core api:update`', async () => {
    const result = await check();
    expect(result.stderr).toBe('');
    expect(result.ok).toBe(true);
  });

  it('fails when an export is added that the report does not have', async () => {
    const built = await readFile(path.join(packageRoot, 'dist/index.d.ts'), 'utf8');
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-api-'));
    const changed = path.join(dir, 'index.d.ts');
    await writeFile(changed, `${built}\nexport declare function accidentallyPublic(): void;\n`);
    const result = await check(changed);
    expect(result.ok).toBe(false);
    expect(result.stderr).toContain('api:update');
  });
});
