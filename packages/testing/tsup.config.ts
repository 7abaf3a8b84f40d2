import { defineConfig } from 'tsup';

export default defineConfig({
  // The conformance suite is its own entry: it imports vitest, which the fakes do not need.
  entry: ['src/index.ts', 'src/conformance.ts'],
  external: ['vitest'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
});
