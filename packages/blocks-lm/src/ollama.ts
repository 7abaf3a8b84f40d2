import { defineBlock } from '@dgt/core';
import { lmBlockConfigSchema, resolveLmConfig } from './config.js';
import { withEmbeddings } from './embeddings/embedder.js';
import { createOllamaEmbedder } from './embeddings/ollama-embedder.js';
import { createLmBlock } from './engine/lm-engine.js';
import { createOllamaProvider, resolveOllamaHost } from './providers/ollama.js';
import { lmRunOptions } from './run-options.js';

/**
 * The `ollama` block: calls an Ollama server through the official `ollama` SDK. The host comes
 * from `base_url`, else `OLLAMA_HOST`, else http://127.0.0.1:11434; `api_key` (or
 * `OLLAMA_API_KEY`) is sent as a bearer token when set.
 *
 * @example
 * # builder YAML
 * blocks:
 *   - name: generator
 *     type: ollama
 *     model_id_or_path: llama3.2:1b
 *     num_ctx: 8192
 */
const ollamaBlock = defineBlock({
  role: 'lm',
  settings: lmRunOptions,
  description: 'LM calls to an Ollama server',
  configSchema: lmBlockConfigSchema,
  async create(config, ctx) {
    const resolved = resolveLmConfig(config);
    const apiKey = resolved.apiKey ?? ctx.env.OLLAMA_API_KEY;
    const host = resolveOllamaHost(resolved, ctx.env);
    const block = await createLmBlock({
      name: config.name,
      type: config.type,
      config: { ...resolved, ...(apiKey ? { apiKey } : {}) },
      provider: createOllamaProvider(host, apiKey),
      env: ctx.env,
      purpose: ctx.purpose,
      ...(ctx.sharedStateUrl ? { sharedStateUrl: ctx.sharedStateUrl } : {}),
    });
    return withEmbeddings(block, createOllamaEmbedder(host, apiKey), resolved);
  },
});

export default ollamaBlock;
