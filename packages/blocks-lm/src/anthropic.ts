import { refuseUrlCredentials } from './engine/url-credentials.js';
import { loadApiKey } from './provider/api-key.js';
import { defineLmProvider } from './provider/define-lm-provider.js';
import { createAnthropicProvider, loadAnthropicSdk } from './providers/anthropic.js';

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
const anthropicBlock = defineLmProvider({
  description: "LM calls to Anthropic's Messages API (needs @anthropic-ai/sdk)",
  async create({ config, settings, env, block }) {
    const apiKey = loadApiKey({
      apiKey: settings.apiKey,
      env,
      variable: 'ANTHROPIC_API_KEY',
      block,
    });
    const baseURL = (settings.baseUrl ?? env.ANTHROPIC_BASE_URL ?? ANTHROPIC_URL).replace(
      /\/+$/,
      '',
    );
    refuseUrlCredentials(baseURL, config);
    const sdk = await loadAnthropicSdk(config);
    return {
      ...createAnthropicProvider(sdk, settings, { apiKey, baseURL }, config.extra_headers),
      apiKey,
    };
  },
});

export default anthropicBlock;
