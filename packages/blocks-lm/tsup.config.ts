import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per provider so discovery can import a single provider without the others.
  entry: [
    'src/index.ts',
    'src/openai.ts',
    'src/azure-openai.ts',
    'src/anthropic.ts',
    'src/watsonx.ts',
    'src/ollama.ts',
    'src/mock.ts',
    'src/vllm.ts',
  ],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  // A native module: it must be loaded from node_modules at run time, never bundled (tsup
  // bundles optional dependencies unless told).
  external: ['better-sqlite3'],
});
