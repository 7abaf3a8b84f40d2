import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per block type: discovery imports only the blocks a builder uses.
  entry: [
    'src/index.ts',
    'src/exact-dedup.ts',
    'src/minhash-dedup.ts',
    'src/rouge-scorer.ts',
    'src/json-schema.ts',
    'src/syntax.ts',
    'src/regex-filter.ts',
    'src/length-filter.ts',
    'src/lm-judge.ts',
    'src/tool-call.ts',
    'src/noop.ts',
    'src/field-map.ts',
    'src/flatten-field.ts',
    'src/data-leak.ts',
    'src/tagger.ts',
    'src/granite-guardian.ts',
    'src/embedding-dedup.ts',
    'src/magpie-tag.ts',
    'src/magpie-distance.ts',
    'src/magpie-filter.ts',
  ],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
});
