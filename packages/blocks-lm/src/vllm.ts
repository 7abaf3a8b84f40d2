import { DgtError } from '@dgt/core';
import { connectOpenAI } from './openai.js';
import { defineLmProvider } from './provider/define-lm-provider.js';

/**
 * `vllm-remote` (also `vllm-server`, DiGiT's names): a vLLM server through its OpenAI-compatible
 * API — the `openai` block, except that the server must be named (`base_url`, e.g.
 * `http://localhost:8000/v1`, or `OPENAI_BASE_URL`) rather than defaulting to api.openai.com,
 * and no API key is needed (`api_key` or `OPENAI_API_KEY` when the server checks one).
 *
 * @example
 * blocks:
 *   - name: generator
 *     type: vllm-remote
 *     base_url: http://localhost:8000/v1
 *     model_id_or_path: openai/gpt-oss-20b
 */
const vllmBlock = defineLmProvider({
  description: "A vLLM server through its OpenAI-compatible API (DiGiT's vllm-remote).",
  create(context) {
    if (!context.settings.baseUrl && !context.env.OPENAI_BASE_URL) {
      throw new DgtError(
        'INVALID_BLOCK_CONFIG',
        `Block "${context.block.name}" (type ${context.block.type}): no server — set "base_url" to the vLLM server's OpenAI-compatible root (e.g. http://localhost:8000/v1), or OPENAI_BASE_URL, or give --base-url.`,
      );
    }
    // Otherwise exactly the openai block (a server other than api.openai.com needs no key).
    return connectOpenAI(context);
  },
});

export default vllmBlock;
