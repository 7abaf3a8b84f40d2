import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: '@dgt/docs', include: ['test/**/*.test.ts'], testTimeout: 30_000 },
});
