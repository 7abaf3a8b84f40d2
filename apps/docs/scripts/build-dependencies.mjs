// The reference pages are generated from the BUILT packages (@dgt/cli, @dgt/core, the plugins),
// so `pnpm --filter @dgt/docs build` on a fresh clone builds them first, with turbo (cached when
// nothing changed). Under turbo itself (`pnpm build`) the docs' `^build` dependency already did.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

if (!process.env.TURBO_HASH) {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const turbo = path.join(root, 'node_modules/turbo/bin/turbo');
  if (!existsSync(turbo)) {
    console.error(
      `docs: turbo is not installed at ${turbo}; run \`pnpm install\` at the repository root first.`,
    );
    process.exit(1);
  }
  const result = spawnSync(
    process.execPath,
    [turbo, 'run', 'build', '--filter=@dgt/docs^...', '--output-logs=errors-only'],
    { cwd: root, stdio: 'inherit', env: { TURBO_TELEMETRY_DISABLED: '1', ...process.env } },
  );
  if (result.status !== 0) {
    console.error('docs: building the packages the reference pages are generated from failed.');
    process.exit(result.status ?? 1);
  }
}
