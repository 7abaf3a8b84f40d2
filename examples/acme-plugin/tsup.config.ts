import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per contribution: discovery imports only what a task uses.
  entry: {
    index: 'src/index.ts',
    'builders/slogan': 'src/builders/slogan.ts',
    'blocks/word-count': 'src/blocks/word-count.ts',
  },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
});
