import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/bin.ts', 'src/json-schemas.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
});
