import type { RequestFailure } from '../engine/retry.js';
import {
  createTokenSource,
  failureOf,
  type WatsonxConnection,
  WatsonxFailure,
} from '../providers/watsonx.js';
import type { Embedder } from './embedder.js';

/** Embeddings over watsonx.ai's `POST /ml/v1/text/embeddings` (IAM token as for chat). */
export function createWatsonxEmbedder(
  connection: WatsonxConnection,
  headers?: Record<string, string>,
): Embedder {
  const tokens = createTokenSource(connection.credential);
  return {
    name: 'watsonx',
    // The project or space is part of what answers, as for chat requests.
    endpoint: `${connection.url}#${JSON.stringify(connection.scope)}`,
    async embed(model, texts, signal) {
      for (let attempt = 0; ; attempt++) {
        const res = await fetch(
          `${connection.url}/ml/v1/text/embeddings?version=${connection.apiVersion}`,
          {
            method: 'POST',
            headers: {
              ...headers,
              'content-type': 'application/json',
              accept: 'application/json',
              authorization: `Bearer ${await tokens.get()}`,
            },
            body: JSON.stringify({ ...connection.scope, model_id: model, inputs: texts }),
            signal,
          },
        );
        if (res.ok) {
          const body = (await res.json()) as {
            results: { embedding: number[] }[];
            input_token_count?: number;
          };
          return {
            vectors: body.results.map((r) => r.embedding),
            tokens: body.input_token_count ?? 0,
          };
        }
        // An expired or revoked token: fetch a fresh one once.
        if (res.status === 401 && attempt === 0 && 'apiKey' in connection.credential) {
          await res.body?.cancel();
          tokens.invalidate();
          continue;
        }
        throw await failureOf(res, 'watsonx.ai');
      }
    },
    describeError(error): RequestFailure {
      if (error instanceof WatsonxFailure) return error.failure;
      if (error instanceof TypeError) {
        const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
        return {
          retryable: true,
          unreachable: true,
          message: `cannot reach watsonx at ${connection.url}: ${error.message}${cause}`,
        };
      }
      return { retryable: false, message: error instanceof Error ? error.message : String(error) };
    },
  };
}
