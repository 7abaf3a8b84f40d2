import { defineLmProvider, loadApiKey, readHttpError } from '@dgt/blocks-lm';
import { DgtError } from '@dgt/core';
import {
  errorMessageOf,
  generateContentBody,
  readEmbeddings,
  readGenerateContentReply,
  retryDelayOf,
} from './wire.js';

/** Google's Generative Language API. */
export const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com';

/**
 * The `gemini` block: Google Gemini models through the `generateContent` REST API. The key comes
 * from `api_key`, else `GEMINI_API_KEY` (or `GOOGLE_API_KEY`), and travels in the
 * `x-goog-api-key` header; the server from `base_url`, else `GEMINI_BASE_URL`, else
 * generativelanguage.googleapis.com. Decoding keys map to `generationConfig` (`max_new_tokens` →
 * `maxOutputTokens`, `stop` → `stopSequences`, `n` → `candidateCount`, …); a response schema is
 * sent as `responseJsonSchema`, tools as `functionDeclarations`; `embed()` (for `embedding_dedup`
 * and the magpie blocks) calls `batchEmbedContents` with the block's model. Everything else — limits,
 * retries (a 429's wait is read from its `RetryInfo`), cache, repair, cost — is the engine's.
 *
 * @example
 * # builder YAML
 * blocks:
 *   - name: generator
 *     type: gemini
 *     model_id_or_path: gemini-2.5-flash
 *     temperature: 0.7
 *     max_new_tokens: 512
 */
const geminiBlock = defineLmProvider({
  description: 'LM calls to Google Gemini (generateContent API)',
  create({ settings, env, block }) {
    const apiKey = loadApiKey({
      apiKey: settings.apiKey,
      env,
      variable: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
      block,
    });
    const baseUrl = (settings.baseUrl || env.GEMINI_BASE_URL || GEMINI_BASE_URL).replace(
      /\/+$/,
      '',
    );
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      url = new URL('invalid:');
    }
    // The URL shows up in messages; a secret in it would be printed.
    if (url.username || url.password) {
      throw new DgtError(
        'INVALID_BLOCK_CONFIG',
        `Block "${block.name}" (type ${block.type}): key "base_url" (or GEMINI_BASE_URL) carries credentials — remove them from the URL and give the key in GEMINI_API_KEY or "api_key".`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new DgtError(
        'INVALID_BLOCK_CONFIG',
        `Block "${block.name}" (type ${block.type}): key "base_url" (or GEMINI_BASE_URL) is not an http:// or https:// URL: ${baseUrl}`,
      );
    }
    return {
      name: 'gemini',
      endpoint: baseUrl,
      apiKey,
      async complete(request, signal) {
        // Model ids are accepted with or without Google's `models/` prefix.
        const model = request.model.replace(/^models\//, '');
        const response = await fetch(`${baseUrl}/v1beta/models/${model}:generateContent`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-goog-api-key': apiKey },
          body: JSON.stringify(generateContentBody(request)),
          signal,
        });
        if (!response.ok) {
          throw await readHttpError(response, {
            what: 'Gemini',
            pick: errorMessageOf,
            retryAfterMs: retryDelayOf,
          });
        }
        return readGenerateContentReply(await response.json());
      },
      embeddings: {
        // `batchEmbedContents` reports no token counts: they are estimated from the texts.
        async embed(model, texts, signal) {
          const id = model.replace(/^models\//, '');
          const response = await fetch(`${baseUrl}/v1beta/models/${id}:batchEmbedContents`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-goog-api-key': apiKey },
            body: JSON.stringify({
              requests: texts.map((text) => ({
                model: `models/${id}`,
                content: { parts: [{ text }] },
              })),
            }),
            signal,
          });
          if (!response.ok) {
            throw await readHttpError(response, {
              what: 'Gemini',
              pick: errorMessageOf,
              retryAfterMs: retryDelayOf,
            });
          }
          return readEmbeddings(await response.json(), texts);
        },
      },
    };
  },
});

export default geminiBlock;
