import { defineBlock } from '@dgt/core';
import { lmBlockConfigSchema, resolveLmConfig } from './config.js';
import { withEmbeddings } from './embeddings/embedder.js';
import { createOpenAIEmbedder } from './embeddings/openai-embedder.js';
import { createLmBlock } from './engine/lm-engine.js';
import { createOpenAIProvider, resolveOpenAIConnection } from './providers/openai.js';
import { lmRunOptions } from './run-options.js';

/**
 * The `openai` block: calls OpenAI or any OpenAI-compatible server (vLLM, LM Studio, llama.cpp)
 * through the official `openai` SDK. The key comes from `api_key`, else `OPENAI_API_KEY`; the
 * server from `base_url`, else `OPENAI_BASE_URL`, else api.openai.com.
 *
 * @example
 * # builder YAML
 * blocks:
 *   - name: generator
 *     type: openai
 *     model_id_or_path: gpt-4o-mini
 *     temperature: 0.7
 *     max_new_tokens: 512
 */
const openaiBlock = defineBlock({
  role: 'lm',
  settings: lmRunOptions,
  description: 'LM calls to OpenAI or an OpenAI-compatible server (vLLM, LM Studio, …)',
  configSchema: lmBlockConfigSchema,
  async create(config, ctx) {
    const resolved = resolveLmConfig(config);
    const connection = resolveOpenAIConnection(resolved, ctx.env, config);
    const block = await createLmBlock({
      name: config.name,
      type: config.type,
      // The resolved key goes in so the engine can scrub it from error messages.
      config: { ...resolved, apiKey: connection.apiKey },
      provider: await createOpenAIProvider(resolved, connection, config.extra_headers),
      env: ctx.env,
      purpose: ctx.purpose,
      ...(ctx.sharedStateUrl ? { sharedStateUrl: ctx.sharedStateUrl } : {}),
    });
    const embedder = createOpenAIEmbedder(resolved, connection, config.extra_headers);
    return withEmbeddings(block, embedder, resolved);
  },
});

export default openaiBlock;
