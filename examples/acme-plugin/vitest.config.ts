import { defineProject } from 'vitest/config';

// The tests load the built dist/ through the package's "dgt" manifest, as a user's project would:
// run `pnpm build` first (the root `pnpm test` does).
export default defineProject({
  test: {
    name: '@acme/dgt-plugin',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
