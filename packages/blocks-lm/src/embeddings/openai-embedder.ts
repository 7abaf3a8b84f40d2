import type { ResolvedLmConfig } from '../config.js';
import { loadOpenAISdk, type OpenAIConnection, openaiFailure } from '../providers/openai.js';
import type { Embedder } from './embedder.js';

/** Embeddings through the `openai` SDK: `POST /v1/embeddings` of OpenAI or a compatible server. */
export async function createOpenAIEmbedder(
  config: ResolvedLmConfig,
  connection: OpenAIConnection,
  headers?: Record<string, string>,
): Promise<Embedder> {
  const openai = await loadOpenAISdk();
  const client = new openai.OpenAI({
    apiKey: connection.apiKey,
    baseURL: connection.baseURL,
    // withEmbeddings retries and times out.
    maxRetries: 0,
    timeout: config.timeoutMs + 5_000,
    ...(headers ? { defaultHeaders: headers } : {}),
  });
  return {
    name: 'openai',
    async embed(model, texts, signal) {
      const res = await client.embeddings.create({ model, input: texts }, { signal });
      const vectors = [...res.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
      return { vectors, tokens: res.usage?.prompt_tokens ?? 0 };
    },
    describeError: (error) => openaiFailure(error, openai, connection.baseURL),
  };
}
