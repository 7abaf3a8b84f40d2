import { defineBlock } from '@dgt/core';
import { lmBlockConfigSchema, resolveLmConfig } from './config.js';
import { withEmbeddings } from './embeddings/embedder.js';
import { createMockEmbedder } from './embeddings/mock-embedder.js';
import { createLmBlock } from './engine/lm-engine.js';
import { createMockProvider } from './providers/mock.js';
import { lmRunOptions } from './run-options.js';

/**
 * The `mock` block: a deterministic, offline stand-in for an LM (no HTTP), for dry runs. Replies
 * are English sentences, or JSON filling the response schema when one is asked, whose text is
 * taken from the examples in the prompt (the task's seeds and outputs) and the values the row
 * carries (a record's known answer), varied by a hash of the model, the input, the decoding
 * parameters and the block's count of identical requests. The model id defaults to `mock`.
 *
 * @example
 * # builder YAML
 * blocks:
 *   - name: generator
 *     type: mock
 */
/** The prompt text the engine gives the provider for a row's input (see ProviderRequest.prompt). */
function promptOf(input: unknown): string | undefined {
  if (typeof input === 'string') return input;
  if (!Array.isArray(input)) return undefined;
  return input.map((m) => (m as { content?: unknown })?.content).join('\n\n');
}

const mockBlock = defineBlock({
  role: 'lm',
  settings: lmRunOptions,
  description: 'Deterministic offline LM for tests and demos',
  configSchema: lmBlockConfigSchema,
  async create(config, ctx) {
    // The rows of the calls in flight, by prompt: a reply may give back what its row knows.
    const rows = new Map<string, Record<string, unknown>>();
    // Mock replies cost nothing and are reproducible: caching them only fills the disk.
    const resolved = resolveLmConfig(config, { model: 'mock', cache: 'off' });
    const block = await createLmBlock({
      name: config.name,
      type: config.type,
      config: resolved,
      provider: createMockProvider((prompt) => rows.get(prompt)),
      env: ctx.env,
      purpose: ctx.purpose,
      ...(ctx.sharedStateUrl ? { sharedStateUrl: ctx.sharedStateUrl } : {}),
    });
    return withEmbeddings(
      {
        ...block,
        async call(batch, options, callCtx) {
          const prompts: string[] = [];
          for (const { input, gen_kwargs: _, ...rest } of batch) {
            const prompt = promptOf(input);
            if (prompt === undefined) continue;
            rows.set(prompt, rest);
            prompts.push(prompt);
          }
          try {
            return await block.call(batch, options, callCtx);
          } finally {
            for (const prompt of prompts) rows.delete(prompt);
          }
        },
      },
      createMockEmbedder(),
      resolved,
    );
  },
});

export default mockBlock;
