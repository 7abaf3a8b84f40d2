import { DgtError } from '@dgt/core';
import type { ResolvedLmConfig } from '../config.js';
import { AZURE_LIMITS, createOpenAIBatchApi } from '../engine/batch/openai-batch-api.js';
import type { LmProvider } from '../engine/provider.js';
import { refuseUrlCredentials } from '../engine/url-credentials.js';
import { loadApiKey } from '../provider/api-key.js';
import { completeWithOpenAI, loadOpenAISdk, openaiFailure } from './openai.js';

/** Default `api_version`: the newest generally-available Azure OpenAI data-plane version. */
export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

/** Where and as whom an Azure OpenAI block connects. */
export type AzureConnection = {
  endpoint: string;
  deployment: string;
  apiVersion: string;
  apiKey: string;
  /** The global-batch deployment batches go to (Azure wants it as each request's model). */
  batchDeployment: string;
};

/**
 * Resolves the Azure connection: `endpoint` (or `base_url`), else `AZURE_OPENAI_ENDPOINT`;
 * `deployment`, else the model id; `api_version`, else `OPENAI_API_VERSION`, else
 * {@link AZURE_DEFAULT_API_VERSION}; `api_key`, else `AZURE_OPENAI_API_KEY`.
 */
export function resolveAzureConnection(
  config: ResolvedLmConfig,
  raw: {
    name: string;
    type: string;
    endpoint?: string;
    deployment?: string;
    api_version?: string;
    batch_deployment?: string;
  },
  env: Record<string, string | undefined>,
): AzureConnection {
  const where = `Block "${raw.name}" (type ${raw.type})`;
  const endpoint = raw.endpoint ?? config.baseUrl ?? env.AZURE_OPENAI_ENDPOINT;
  if (!endpoint) {
    throw new DgtError(
      'INVALID_BLOCK_CONFIG',
      `${where}: no endpoint — set AZURE_OPENAI_ENDPOINT (e.g. https://my-resource.openai.azure.com) or the block's "endpoint" key.`,
    );
  }
  refuseUrlCredentials(endpoint, raw);
  const apiKey = loadApiKey({
    apiKey: config.apiKey,
    env,
    variable: 'AZURE_OPENAI_API_KEY',
    block: raw,
  });
  return {
    endpoint: endpoint.replace(/\/+$/, ''),
    deployment: raw.deployment ?? config.model,
    batchDeployment: raw.batch_deployment ?? raw.deployment ?? config.model,
    apiVersion: raw.api_version ?? env.OPENAI_API_VERSION ?? AZURE_DEFAULT_API_VERSION,
    apiKey,
  };
}

/** An LM provider over the `openai` SDK's `AzureOpenAI` client (a deployment of one model). */
export async function createAzureOpenAIProvider(
  config: ResolvedLmConfig,
  connection: AzureConnection,
  headers?: Record<string, string>,
): Promise<LmProvider> {
  const openai = await loadOpenAISdk();
  const azureClient = (deployment?: string) =>
    new openai.AzureOpenAI({
      endpoint: connection.endpoint,
      apiKey: connection.apiKey,
      ...(deployment ? { deployment } : {}),
      apiVersion: connection.apiVersion,
      maxRetries: 0,
      timeout: config.timeoutMs + 5_000,
      ...(headers ? { defaultHeaders: headers } : {}),
    });
  const client = azureClient(connection.deployment);
  return {
    name: 'azure-openai',
    endpoint: `${connection.endpoint}/openai/deployments/${connection.deployment}`,
    complete: (request, signal) => completeWithOpenAI(client, request, signal, 'max_tokens'),
    describeError: (error) => openaiFailure(error, openai, connection.endpoint),
    batch: createOpenAIBatchApi({
      sdk: openai,
      // The SDK would put /batches under the client's deployment; Azure serves it at the resource.
      client: azureClient(),
      chatMaxKey: 'max_tokens',
      path: '/chat/completions',
      model: connection.batchDeployment,
      limits: AZURE_LIMITS,
    }),
  };
}
