import { DgtError, defineBlock } from '@dgt/core';
import { lmBlockConfigSchema, resolveLmConfig } from './config.js';
import { createLmBlock } from './engine/lm-engine.js';
import { refuseUrlCredentials } from './engine/url-credentials.js';
import { createAnthropicProvider, loadAnthropicSdk } from './providers/anthropic.js';
import { lmRunOptions } from './run-options.js';

const ANTHROPIC_URL = 'https://api.anthropic.com';

/**
 * The `anthropic` block: calls Claude models through Anthropic's Messages API with the official
 * `@anthropic-ai/sdk`, which you install yourself (`npm install @anthropic-ai/sdk`; it is loaded
 * only when this block is used). Key from `api_key`, else `ANTHROPIC_API_KEY`; server from
 * `base_url`, else `ANTHROPIC_BASE_URL`, else api.anthropic.com. `max_tokens` defaults to 1024.
 *
 * @example
 * # builder YAML
 * blocks:
 *   - name: generator
 *     type: anthropic
 *     model_id_or_path: claude-haiku-4-5
 *     max_new_tokens: 512
 */
const anthropicBlock = defineBlock({
  role: 'lm',
  settings: lmRunOptions,
  description: "LM calls to Anthropic's Messages API (needs @anthropic-ai/sdk)",
  configSchema: lmBlockConfigSchema,
  async create(config, ctx) {
    const resolved = resolveLmConfig(config);
    const apiKey = resolved.apiKey ?? ctx.env.ANTHROPIC_API_KEY;
    if (!apiKey) {
      throw new DgtError(
        'MISSING_CREDENTIALS',
        `Block "${config.name}" (type ${config.type}): no API key — set ANTHROPIC_API_KEY in the environment (or .env), or the block's "api_key" key.`,
      );
    }
    const baseURL = (resolved.baseUrl ?? ctx.env.ANTHROPIC_BASE_URL ?? ANTHROPIC_URL).replace(
      /\/+$/,
      '',
    );
    refuseUrlCredentials(baseURL, config);
    const sdk = await loadAnthropicSdk(config);
    return createLmBlock({
      name: config.name,
      type: config.type,
      config: { ...resolved, apiKey },
      provider: createAnthropicProvider(sdk, resolved, { apiKey, baseURL }, config.extra_headers),
      env: ctx.env,
      purpose: ctx.purpose,
      ...(ctx.sharedStateUrl ? { sharedStateUrl: ctx.sharedStateUrl } : {}),
    });
  },
});

export default anthropicBlock;
