import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per builder: discovery imports only the builder a task names.
  entry: [
    'src/index.ts',
    'src/geography-qa.ts',
    'src/qa-rater.ts',
    'src/pipeline.ts',
    'src/simple.ts',
    'src/knowledge.ts',
    'src/cot.ts',
    'src/tool-calling.ts',
    'src/answer-match.ts',
    'src/time-series.ts',
    'src/skills.ts',
    'src/safety-refusal.ts',
    'src/safety-refusal-formatter.ts',
    'src/tool-calling-multi-turn.ts',
    'src/tool-calling-formatter.ts',
    'src/conversation.ts',
    'src/conversation-dropped.ts',
    'src/rag.ts',
    'src/rag-static-formatter.ts',
    'src/magpie.ts',
  ],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
});
