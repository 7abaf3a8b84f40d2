import { createOllamaEmbedder } from './embeddings/ollama-embedder.js';
import { findApiKey } from './provider/api-key.js';
import { defineLmProvider } from './provider/define-lm-provider.js';
import { createOllamaProvider, resolveOllamaHost } from './providers/ollama.js';

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
const ollamaBlock = defineLmProvider({
  description: 'LM calls to an Ollama server',
  create({ settings, env }) {
    // A local Ollama checks no key: one is sent only when given.
    const apiKey = findApiKey({ apiKey: settings.apiKey, env, variable: 'OLLAMA_API_KEY' });
    const host = resolveOllamaHost(settings, env);
    return {
      ...createOllamaProvider(host, apiKey),
      ...(apiKey ? { apiKey } : {}),
      embeddings: createOllamaEmbedder(host, apiKey),
    };
  },
});

export default ollamaBlock;
