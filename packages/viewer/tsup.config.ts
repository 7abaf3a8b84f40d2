import { defineConfig } from 'tsup';

export default defineConfig([
  { entry: ['src/index.ts'], format: ['esm'], dts: true, sourcemap: true, clean: false },
  // The browser app: one script and one stylesheet, served by the viewer (no network at run time).
  {
    entry: { app: 'src/client/main.ts' },
    outDir: 'dist/client',
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    clean: false,
  },
]);
