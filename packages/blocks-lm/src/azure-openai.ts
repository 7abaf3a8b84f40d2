import { z } from 'zod';
import { lmBlockConfigSchema } from './config.js';
import { defineLmProvider } from './provider/define-lm-provider.js';
import { createAzureOpenAIProvider, resolveAzureConnection } from './providers/azure-openai.js';

/** Configuration of the `azure-openai` block: the common LM keys plus Azure's connection keys. */
export const azureOpenAIConfigSchema = lmBlockConfigSchema.extend({
  endpoint: z
    .string()
    .min(1)
    .optional()
    .describe(
      '`https://<resource>.openai.azure.com`; else `AZURE_OPENAI_ENDPOINT` (or `base_url`).',
    ),
  deployment: z
    .string()
    .min(1)
    .optional()
    .describe('The deployment name; defaults to `model_id_or_path`.'),
  api_version: z
    .string()
    .min(1)
    .optional()
    .describe('Azure OpenAI API version (default 2024-10-21, or `OPENAI_API_VERSION`).'),
  batch_deployment: z
    .string()
    .min(1)
    .optional()
    .describe('The global-batch deployment used in batch mode; defaults to `deployment`.'),
});

/**
 * The `azure-openai` block: calls a deployment of Azure OpenAI through the `openai` SDK's
 * `AzureOpenAI` client. Key from `api_key`, else `AZURE_OPENAI_API_KEY`; endpoint from `endpoint`,
 * else `AZURE_OPENAI_ENDPOINT`. Prices are looked up by `model_id_or_path`, so name the model
 * there and the deployment in `deployment` when they differ.
 *
 * @example
 * # builder YAML
 * blocks:
 *   - name: generator
 *     type: azure-openai
 *     model_id_or_path: gpt-4o-mini
 *     deployment: my-gpt4o-mini
 *     api_version: 2024-10-21
 */
const azureOpenAIBlock = defineLmProvider({
  description: 'LM calls to an Azure OpenAI deployment',
  configSchema: azureOpenAIConfigSchema,
  async create({ config, settings, env }) {
    const connection = resolveAzureConnection(settings, config, env);
    return {
      ...(await createAzureOpenAIProvider(settings, connection, config.extra_headers)),
      apiKey: connection.apiKey,
    };
  },
});

export default azureOpenAIBlock;
