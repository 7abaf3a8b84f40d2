import { DgtError } from '@dgt/core';
import { isHttpUrl, type ResolvedLmConfig } from '../config.js';
import { splitUrlCredentials } from '../engine/url-credentials.js';
import { findApiKey, loadApiKey } from '../provider/api-key.js';

const OPENAI_URL = 'https://api.openai.com/v1';

/** Where and as whom an OpenAI block connects. */
export type OpenAIConnection = {
  baseURL: string;
  apiKey: string;
  official: boolean;
  /** `Authorization` from credentials that were in the URL (they replace the key's header). */
  authorization?: string;
};

/**
 * Resolves the server and key: config first, then `OPENAI_BASE_URL` / `OPENAI_API_KEY`. A server
 * other than api.openai.com with no key gets the placeholder `EMPTY`, as local servers (vLLM,
 * LM Studio) expect some key but check none.
 */
export function resolveOpenAIConnection(
  config: ResolvedLmConfig,
  env: Record<string, string | undefined>,
  block: { name: string; type: string },
): OpenAIConnection {
  const { url: baseURL, authorization } = splitUrlCredentials(
    config.baseUrl || env.OPENAI_BASE_URL || OPENAI_URL,
  );
  if (!isHttpUrl(baseURL)) {
    throw new DgtError(
      'INVALID_BLOCK_CONFIG',
      `Block "${block.name}" (type ${block.type}): key "base_url" (or OPENAI_BASE_URL) is not an http:// or https:// URL: ${baseURL}`,
    );
  }
  const official = new URL(baseURL).hostname === 'api.openai.com';
  const source = { apiKey: config.apiKey, env, variable: 'OPENAI_API_KEY', block };
  const apiKey = official ? loadApiKey(source) : (findApiKey(source) ?? 'EMPTY');
  return { baseURL, apiKey, official, ...(authorization ? { authorization } : {}) };
}
