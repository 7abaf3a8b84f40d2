import type OpenAI from 'openai';
import type { ResolvedLmConfig } from '../config.js';
import type { RequestFailure } from '../engine/retry.js';
import { loadOpenAISdk, type OpenAISdk, openaiFailure } from '../providers/openai.js';
import type { OpenAIConnection } from '../providers/openai-connection.js';
import type { Embedder } from './embedder.js';

/**
 * Embeddings through the `openai` SDK: `POST /v1/embeddings` of OpenAI or a compatible server.
 * The client is made at the first request, so blocks that never embed pay nothing for it.
 */
export function createOpenAIEmbedder(
  config: ResolvedLmConfig,
  connection: OpenAIConnection,
  headers?: Record<string, string>,
): Embedder {
  let sdk: OpenAISdk | undefined;
  let client: OpenAI | undefined;
  return {
    name: 'openai',
    endpoint: connection.baseURL,
    async embed(model, texts, signal) {
      sdk ??= await loadOpenAISdk();
      client ??= new sdk.OpenAI({
        apiKey: connection.apiKey,
        baseURL: connection.baseURL,
        // withEmbeddings retries and times out.
        maxRetries: 0,
        timeout: config.timeoutMs + 5_000,
        ...(headers ? { defaultHeaders: headers } : {}),
      });
      const res = await client.embeddings.create({ model, input: texts }, { signal });
      const vectors = [...res.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
      return { vectors, tokens: res.usage?.prompt_tokens ?? 0 };
    },
    describeError(error): RequestFailure {
      if (sdk) return openaiFailure(error, sdk, connection.baseURL);
      return { retryable: false, message: error instanceof Error ? error.message : String(error) };
    },
  };
}
