import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per block type, as discovery imports it.
  entry: ['src/index.ts', 'src/gemini.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
});
