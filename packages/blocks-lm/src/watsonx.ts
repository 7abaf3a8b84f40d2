import { z } from 'zod';
import { lmBlockConfigSchema } from './config.js';
import { createWatsonxEmbedder } from './embeddings/watsonx-embedder.js';
import { defineLmProvider } from './provider/define-lm-provider.js';
import { createWatsonxProvider, resolveWatsonxConnection } from './providers/watsonx.js';

/** Configuration of the `watsonx` block: the common LM keys plus watsonx's connection keys. */
export const watsonxConfigSchema = lmBlockConfigSchema.extend({
  project_id: z
    .string()
    .min(1)
    .optional()
    .describe('The watsonx.ai project; else `WATSONX_PROJECT_ID`.'),
  space_id: z
    .string()
    .min(1)
    .optional()
    .describe('A deployment space instead of a project; else `WATSONX_SPACE_ID`.'),
  api_version: z.string().min(1).optional().describe('API version date (default 2024-05-31).'),
  iam_url: z
    .string()
    .min(1)
    .optional()
    .describe('IBM Cloud IAM URL (default https://iam.cloud.ibm.com; else `WATSONX_IAM_URL`).'),
});

/**
 * The `watsonx` block: calls IBM watsonx.ai text chat (chat rows) and text generation
 * (`method: completion`) over HTTP. The server comes from `base_url`, else `WATSONX_URL`; the
 * project from `project_id`, else `WATSONX_PROJECT_ID`; credentials from `api_key` /
 * `WATSONX_API_KEY` (exchanged for an IAM token) or a ready bearer token in `WATSONX_API_TOKEN`.
 *
 * @example
 * # builder YAML
 * blocks:
 *   - name: generator
 *     type: watsonx
 *     model_id_or_path: ibm/granite-3-8b-instruct
 *     max_new_tokens: 512
 */
const watsonxBlock = defineLmProvider({
  description: 'LM calls to IBM watsonx.ai (text chat and generation)',
  configSchema: watsonxConfigSchema,
  create({ config, env }) {
    const connection = resolveWatsonxConnection(config, env);
    const { credential } = connection;
    return {
      ...createWatsonxProvider(connection, config.extra_headers),
      apiKey: 'apiKey' in credential ? credential.apiKey : credential.token,
      embeddings: createWatsonxEmbedder(connection, config.extra_headers),
    };
  },
});

export default watsonxBlock;
