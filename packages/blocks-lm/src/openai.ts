import type { LmBlockConfig } from './config.js';
import { createOpenAIEmbedder } from './embeddings/openai-embedder.js';
import type { LmProviderContext } from './provider/define-lm-provider.js';
import { defineLmProvider } from './provider/define-lm-provider.js';
import { createOpenAIProvider } from './providers/openai.js';
import { resolveOpenAIConnection } from './providers/openai-connection.js';

/** The wire part of the `openai` block (also that of `vllm-remote`). */
export async function connectOpenAI({
  config,
  settings,
  env,
  block,
}: LmProviderContext<LmBlockConfig>) {
  const connection = resolveOpenAIConnection(settings, env, block);
  return {
    ...(await createOpenAIProvider(settings, connection, config.extra_headers)),
    apiKey: connection.apiKey,
    embeddings: createOpenAIEmbedder(settings, connection, config.extra_headers),
  };
}

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
const openaiBlock = defineLmProvider({
  description: 'LM calls to OpenAI or an OpenAI-compatible server (vLLM, LM Studio, …)',
  create: connectOpenAI,
});

export default openaiBlock;
