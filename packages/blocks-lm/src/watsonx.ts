import { defineBlock } from '@dgt/core';
import { z } from 'zod';
import { lmBlockConfigSchema, resolveLmConfig } from './config.js';
import { withEmbeddings } from './embeddings/embedder.js';
import { createWatsonxEmbedder } from './embeddings/watsonx-embedder.js';
import { createLmBlock } from './engine/lm-engine.js';
import { createWatsonxProvider, resolveWatsonxConnection } from './providers/watsonx.js';
import { lmRunOptions } from './run-options.js';

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
const watsonxBlock = defineBlock({
  role: 'lm',
  settings: lmRunOptions,
  description: 'LM calls to IBM watsonx.ai (text chat and generation)',
  configSchema: watsonxConfigSchema,
  async create(config, ctx) {
    const resolved = resolveLmConfig(config);
    const connection = resolveWatsonxConnection(config, ctx.env);
    const secret =
      'apiKey' in connection.credential
        ? connection.credential.apiKey
        : connection.credential.token;
    const block = await createLmBlock({
      name: config.name,
      type: config.type,
      config: { ...resolved, apiKey: secret },
      provider: createWatsonxProvider(connection, config.extra_headers),
      env: ctx.env,
      purpose: ctx.purpose,
      ...(ctx.sharedStateUrl ? { sharedStateUrl: ctx.sharedStateUrl } : {}),
    });
    const embedder = createWatsonxEmbedder(connection, config.extra_headers);
    return withEmbeddings(block, embedder, resolved);
  },
});

export default watsonxBlock;
