import { isRetryableStatus, parseRetryAfter, type RequestFailure } from '../engine/retry.js';
import type { Embedder } from './embedder.js';

class OllamaEmbedFailure extends Error {
  constructor(readonly failure: RequestFailure) {
    super(failure.message);
  }
}

/** Embeddings through the `ollama` SDK: `POST /api/embed` of an Ollama server. */
export function createOllamaEmbedder(host: string, apiKey: string | undefined): Embedder {
  const headers = apiKey ? { Authorization: `Bearer ${apiKey}` } : undefined;
  return {
    name: 'ollama',
    endpoint: host,
    async embed(model, texts, signal) {
      const { Ollama } = await import('ollama');
      let status: number | undefined;
      let retryAfterMs: number | undefined;
      // The SDK takes no signal for this call: it goes in through fetch, which also shows the
      // status and Retry-After the SDK's error drops.
      const client = new Ollama({
        host,
        ...(headers ? { headers } : {}),
        fetch: async (url, init) => {
          const res = await fetch(url, { ...init, signal });
          if (!res.ok) {
            status = res.status;
            retryAfterMs = parseRetryAfter(res.headers);
          }
          return res;
        },
      });
      try {
        const res = await client.embed({ model, input: texts });
        return { vectors: res.embeddings, tokens: res.prompt_eval_count ?? 0 };
      } catch (error) {
        if (status === undefined) throw error;
        throw new OllamaEmbedFailure({
          retryable: isRetryableStatus(status),
          status,
          message: `Ollama /api/embed answered ${status}: ${error instanceof Error ? error.message : String(error)}`,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        });
      }
    },
    describeError(error): RequestFailure {
      if (error instanceof OllamaEmbedFailure) return error.failure;
      if (error instanceof TypeError) {
        const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
        return {
          retryable: true,
          unreachable: true,
          message: `cannot reach Ollama at ${host}: ${error.message}${cause}`,
        };
      }
      return { retryable: false, message: error instanceof Error ? error.message : String(error) };
    },
  };
}
