import { DgtError } from '@dgt/core';
import {
  estimateTokens,
  type LmProvider,
  type ProviderChoice,
  type ProviderRequest,
  type TokenLogprob,
} from '../engine/provider.js';
import { isRetryableStatus, parseRetryAfter, type RequestFailure } from '../engine/retry.js';
import { refuseUrlCredentials } from '../engine/url-credentials.js';
import { findApiKey, loadApiKey } from '../provider/api-key.js';
import { readToolCalls } from './openai.js';

/** Default watsonx.ai API version (the `version` query parameter). */
export const WATSONX_DEFAULT_API_VERSION = '2024-05-31';
const IAM_URL = 'https://iam.cloud.ibm.com';

/** Where and as whom a watsonx block connects. */
export type WatsonxConnection = {
  url: string;
  apiVersion: string;
  /** `{ project_id }` or `{ space_id }`. */
  scope: { project_id: string } | { space_id: string };
  /** A bearer token used as is (`WATSONX_API_TOKEN`), or an API key to exchange at `iamUrl`. */
  credential: { token: string } | { apiKey: string; iamUrl: string };
};

type RawConfig = {
  name: string;
  type: string;
  base_url?: string;
  api_key?: string;
  project_id?: string;
  space_id?: string;
  api_version?: string;
  iam_url?: string;
};

/**
 * Resolves the watsonx connection from config, then the environment: `base_url` /
 * `WATSONX_URL` (or DiGiT's `WATSONX_API_URL`), `project_id` / `WATSONX_PROJECT_ID` (or `space_id` / `WATSONX_SPACE_ID`),
 * `api_key` / `WATSONX_API_KEY` (or `WATSONX_APIKEY`) exchanged for an IAM token at `iam_url` /
 * `WATSONX_IAM_URL`, or a ready token in `WATSONX_API_TOKEN`.
 */
export function resolveWatsonxConnection(
  raw: RawConfig,
  env: Record<string, string | undefined>,
): WatsonxConnection {
  const where = `Block "${raw.name}" (type ${raw.type})`;
  const url = raw.base_url ?? env.WATSONX_URL ?? env.WATSONX_API_URL;
  if (!url) {
    throw new DgtError(
      'INVALID_BLOCK_CONFIG',
      `${where}: no watsonx URL — set WATSONX_URL or WATSONX_API_URL (e.g. https://us-south.ml.cloud.ibm.com) or the block's "base_url" key.`,
    );
  }
  refuseUrlCredentials(url, raw);
  const projectId = raw.project_id ?? env.WATSONX_PROJECT_ID;
  const spaceId = raw.space_id ?? env.WATSONX_SPACE_ID;
  if (!projectId && !spaceId) {
    throw new DgtError(
      'INVALID_BLOCK_CONFIG',
      `${where}: no project — set WATSONX_PROJECT_ID (or WATSONX_SPACE_ID), or the block's "project_id" key.`,
    );
  }
  const token = env.WATSONX_API_TOKEN || undefined;
  const keySource = {
    apiKey: raw.api_key,
    env,
    variable: ['WATSONX_API_KEY', 'WATSONX_APIKEY'],
    block: raw,
    alternative: '(an IBM Cloud API key) or WATSONX_API_TOKEN (a bearer token)',
  };
  // A ready bearer token makes the API key optional.
  const apiKey = token ? findApiKey(keySource) : loadApiKey(keySource);
  return {
    url: url.replace(/\/+$/, ''),
    apiVersion: raw.api_version ?? WATSONX_DEFAULT_API_VERSION,
    scope: projectId ? { project_id: projectId } : { space_id: spaceId as string },
    credential: apiKey
      ? { apiKey, iamUrl: (raw.iam_url ?? env.WATSONX_IAM_URL ?? IAM_URL).replace(/\/+$/, '') }
      : { token: token as string },
  };
}

/** A failed HTTP exchange with watsonx or IAM, carrying what the engine needs. */
export class WatsonxFailure extends Error {
  constructor(readonly failure: RequestFailure) {
    super(failure.message);
  }
}

export async function failureOf(res: Response, what: string): Promise<WatsonxFailure> {
  let message = `${what} answered HTTP ${res.status}`;
  try {
    const body = (await res.json()) as {
      errors?: Array<{ message?: string }>;
      errorMessage?: string;
    };
    message = body.errors?.[0]?.message ?? body.errorMessage ?? message;
  } catch {
    // not JSON: keep the generic message
  }
  const retryAfterMs = parseRetryAfter(res.headers);
  return new WatsonxFailure({
    retryable: isRetryableStatus(res.status),
    status: res.status,
    message,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/** Exchanges an API key for IAM tokens, reusing a token until a minute before it expires. */
export function createTokenSource(credential: WatsonxConnection['credential']) {
  if ('token' in credential) return { get: async () => credential.token, invalidate() {} };
  let current: Promise<{ token: string; expiresAt: number }> | undefined;
  async function fetchToken(): Promise<{ token: string; expiresAt: number }> {
    const { apiKey, iamUrl } = credential as { apiKey: string; iamUrl: string };
    const res = await fetch(`${iamUrl}/identity/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'urn:ibm:params:oauth:grant-type:apikey',
        apikey: apiKey,
      }).toString(),
    });
    if (!res.ok) {
      const failure = await failureOf(res, 'the IBM Cloud IAM token service');
      // A refused key stays refused: only server-side IAM trouble is worth retrying.
      throw res.status < 500
        ? new WatsonxFailure({ ...failure.failure, retryable: false })
        : failure;
    }
    const body = (await res.json()) as { access_token: string; expires_in?: number };
    return { token: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 };
  }
  return {
    async get(): Promise<string> {
      const known = current ? await current.catch(() => undefined) : undefined;
      if (!known || known.expiresAt - Date.now() < 60_000) {
        current = fetchToken();
        current.catch(() => {
          current = undefined;
        });
      }
      return (await current)?.token as string;
    },
    invalidate() {
      current = undefined;
    },
  };
}

type ChatChoice = {
  index: number;
  message?: { content?: string | null; tool_calls?: Parameters<typeof readToolCalls>[0] };
  logprobs?: { content?: TokenLogprob[] | null };
};

/**
 * An LM provider for watsonx.ai over HTTP (no SDK): chat requests go to `/ml/v1/text/chat`
 * (messages, tools, `response_format`, logprobs), completion requests to
 * `/ml/v1/text/generation` (`max_new_tokens`, `stop_sequences`, `random_seed`, greedy decoding at
 * temperature 0). The IAM token is fetched once and refreshed before it expires or after a 401.
 */
export function createWatsonxProvider(
  connection: WatsonxConnection,
  headers?: Record<string, string>,
): LmProvider {
  const tokens = createTokenSource(connection.credential);

  function chatBody(request: ProviderRequest) {
    const { max_tokens, stop, num_ctx: _ctx, ...rest } = request.params;
    const choice = request.toolChoice;
    return {
      ...rest,
      ...connection.scope,
      model_id: request.model,
      messages: request.messages,
      ...(max_tokens !== undefined ? { max_tokens } : {}),
      ...(stop?.length ? { stop } : {}),
      ...(request.responseSchema
        ? {
            response_format: {
              type: 'json_schema',
              json_schema: {
                name: request.responseSchema.name,
                schema: request.responseSchema.schema,
              },
            },
          }
        : {}),
      ...(request.tools
        ? {
            tools: request.tools.map((t) => ({
              type: 'function',
              function: {
                name: t.name,
                description: t.description ?? '',
                parameters: t.parameters,
              },
            })),
          }
        : {}),
      ...(request.tools && choice
        ? typeof choice === 'string'
          ? { tool_choice_option: choice }
          : { tool_choice: { type: 'function', function: { name: choice.name } } }
        : {}),
    };
  }

  function generationBody(request: ProviderRequest) {
    const { max_tokens, stop, seed, temperature, n: _n, num_ctx: _ctx, ...rest } = request.params;
    return {
      ...connection.scope,
      model_id: request.model,
      input: request.prompt,
      parameters: {
        ...rest,
        decoding_method: temperature === 0 ? 'greedy' : 'sample',
        ...(temperature !== undefined && temperature > 0 ? { temperature } : {}),
        ...(max_tokens !== undefined ? { max_new_tokens: max_tokens } : {}),
        ...(stop?.length ? { stop_sequences: stop } : {}),
        ...(seed !== undefined ? { random_seed: seed } : {}),
      },
    };
  }

  async function post(path: string, body: unknown, signal: AbortSignal): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const token = await tokens.get();
      const res = await fetch(`${connection.url}${path}?version=${connection.apiVersion}`, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          accept: 'application/json',
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify(body),
        signal,
      });
      if (res.ok) return res.json();
      // An expired or revoked token: fetch a fresh one once.
      if (res.status === 401 && attempt === 0 && 'apiKey' in connection.credential) {
        await res.body?.cancel();
        tokens.invalidate();
        continue;
      }
      throw await failureOf(res, 'watsonx.ai');
    }
  }

  return {
    name: 'watsonx',
    endpoint: `${connection.url}#${JSON.stringify(connection.scope)}`,
    async complete(request, signal) {
      if (request.method === 'completion') {
        const choices: ProviderChoice[] = [];
        let prompt = 0;
        let completion = 0;
        for (let i = 0; i < (request.params.n ?? 1); i++) {
          const res = (await post('/ml/v1/text/generation', generationBody(request), signal)) as {
            results: Array<{
              generated_text: string;
              generated_token_count?: number;
              input_token_count?: number;
            }>;
          };
          const r = res.results[0];
          choices.push({ text: r?.generated_text ?? '' });
          prompt += r?.input_token_count ?? estimateTokens(request.prompt);
          completion += r?.generated_token_count ?? estimateTokens(r?.generated_text ?? '');
        }
        return { choices, usage: { prompt_tokens: prompt, completion_tokens: completion } };
      }
      const res = (await post('/ml/v1/text/chat', chatBody(request), signal)) as {
        choices: ChatChoice[];
        usage?: { prompt_tokens?: number; completion_tokens?: number };
      };
      const choices = [...res.choices]
        .sort((a, b) => a.index - b.index)
        .map((c) => {
          const toolCalls = readToolCalls(c.message?.tool_calls);
          const logprobs = c.logprobs?.content ?? undefined;
          return {
            text: c.message?.content ?? '',
            ...(toolCalls ? { toolCalls } : {}),
            ...(logprobs ? { logprobs } : {}),
          };
        });
      return {
        choices,
        usage: {
          prompt_tokens: res.usage?.prompt_tokens ?? estimateTokens(request.prompt),
          completion_tokens:
            res.usage?.completion_tokens ?? estimateTokens(choices.map((c) => c.text).join(' ')),
        },
      };
    },
    describeError(error): RequestFailure {
      if (error instanceof WatsonxFailure) return error.failure;
      if (error instanceof TypeError) {
        const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
        return {
          retryable: true,
          unreachable: true,
          message: `cannot reach watsonx at ${connection.url}: ${error.message}${cause}`,
        };
      }
      return { retryable: false, message: error instanceof Error ? error.message : String(error) };
    },
  };
}
