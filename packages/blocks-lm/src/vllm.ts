import { DgtError, defineBlock } from '@dgt/core';
import { lmBlockConfigSchema } from './config.js';
import openaiBlock from './openai.js';
import { lmRunOptions } from './run-options.js';

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
const vllmBlock = defineBlock({
  role: 'lm',
  settings: lmRunOptions,
  description: "A vLLM server through its OpenAI-compatible API (DiGiT's vllm-remote).",
  configSchema: lmBlockConfigSchema,
  async create(config, ctx) {
    if (!config.base_url && !ctx.env.OPENAI_BASE_URL) {
      throw new DgtError(
        'INVALID_BLOCK_CONFIG',
        `Block "${config.name}" (type ${config.type}): no server — set "base_url" to the vLLM server's OpenAI-compatible root (e.g. http://localhost:8000/v1), or OPENAI_BASE_URL, or give --base-url.`,
      );
    }
    // Otherwise exactly the openai block (a server other than api.openai.com needs no key).
    return openaiBlock.create(config, ctx);
  },
});

export default vllmBlock;
