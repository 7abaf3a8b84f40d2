import { defineConfig } from 'vitest/config';

// One vitest process over every package, so `pnpm test` prints a single summary.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/acme-plugin', 'apps/docs', 'tooling'],
  },
});
