import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per block type: discovery imports only the blocks a builder uses.
  entry: ['src/index.ts', 'src/exact-dedup.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
});
