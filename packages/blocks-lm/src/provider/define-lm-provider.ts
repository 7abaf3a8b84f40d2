import { type BlockInitContext, type DefinedBlock, defineBlock } from '@dgt/core';
import type { z } from 'zod';
import {
  type CachePolicy,
  type LmBlockConfig,
  lmBlockConfigSchema,
  type ResolvedLmConfig,
  resolveLmConfig,
} from '../config.js';
import { withEmbeddings } from '../embeddings/embedder.js';
import type { BatchApi } from '../engine/batch/batch-api.js';
import { createLmBlock } from '../engine/lm-engine.js';
import type { LmProvider, ProviderRequest, ProviderResponse } from '../engine/provider.js';
import type { RequestFailure } from '../engine/retry.js';
import { lmRunOptions } from '../run-options.js';
import { describeProviderError } from './http-failure.js';

/** What a provider's `create` is given: the block's configuration, resolved, and its context. */
export type LmProviderContext<Config> = {
  /** The block's configuration as validated by the provider's `configSchema` (YAML keys). */
  config: Config & { name: string; type: string };
  /**
   * The engine's reading of the common keys: `model`, `baseUrl` and `apiKey` (as configured, no
   * environment fallback yet), decoding `params`, `timeoutMs`, limits, cache policy.
   */
  settings: ResolvedLmConfig;
  /** The environment for fallbacks (`process.env`, or what a test gives). */
  env: Record<string, string | undefined>;
  /** The block, for error messages: `Block "generator" (type gemini)`. */
  block: { name: string; type: string };
  /**
   * `check` when the block is only validated (`dgt validate`): throw the errors a run would
   * (missing key, bad URL) but open no connection.
   */
  purpose: 'run' | 'check';
};

/** An embeddings endpoint of a provider: vectors for a list of texts. */
export type LmEmbeddings = {
  /** Vectors of `texts` (in order) and the prompt tokens the server counted. */
  embed(
    model: string,
    texts: string[],
    signal: AbortSignal,
  ): Promise<{ vectors: number[][]; tokens: number }>;
  /** Whether an error is worth retrying; defaults to the provider's classification. */
  describeError?(error: unknown): RequestFailure;
};

/**
 * The wire part of a provider, which `create` returns: one request in, text / JSON / tool calls
 * and usage out. Everything else (concurrency and rate limits shared by every block on the same
 * server and key, adaptive backoff on 429 honouring Retry-After, retries, timeouts, the request
 * cache, structured-output validation and repair, cost, events and provenance, Batch-API
 * gathering) is the engine's.
 */
export type LmProviderConnection = {
  /** Provider id used in events and cache keys (`gemini`). */
  name: string;
  /**
   * Where requests go (base URL, plus project or deployment): the identity of the server, never
   * a key. Blocks on the same endpoint and key share one set of limits.
   */
  endpoint: string;
  /**
   * The credential in use: kept out of every error message and event, and part of the identity
   * of the endpoint's limits. Omit for servers that need none.
   */
  apiKey?: string;
  /**
   * Sends one request and returns one choice per requested completion (`params.n`) with the
   * token usage. Must stop when `signal` aborts (the engine's timeout or the run's stop). Throw
   * on failure; a {@link ProviderHttpError} is classified by its status.
   */
  complete(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse>;
  /**
   * Whether a thrown error is worth retrying and how long the server asked to wait. Default:
   * `describeProviderError` (HTTP status of a `ProviderHttpError`, network errors transient).
   */
  describeError?(error: unknown): RequestFailure;
  /** The provider's Batch API, for blocks with `batch: true`. */
  batch?: BatchApi;
  /** Embeddings, when the provider has them: the block gets `embed()` (see `EmbeddingCapability`). */
  embeddings?: LmEmbeddings;
  /** Releases clients or sockets when the run closes the block. */
  close?(): Promise<void>;
};

/** A provider definition: what `defineLmProvider` needs. */
export type LmProviderDefinition<Schema extends z.ZodType<LmBlockConfig>> = {
  /** One line for `dgt list`. */
  description: string;
  /**
   * The block's config schema: `lmBlockConfigSchema` (the default), or an `.extend()` of it
   * with the provider's own keys (project, region, …).
   */
  configSchema?: Schema;
  /** Defaults for a block that does not set them (a model id, the cache policy). */
  defaults?: { model?: string; cache?: CachePolicy };
  /**
   * Resolves the connection (config first, then the environment; see `loadApiKey`) and returns
   * the wire part. Throw `DgtError`s naming the block and key for configuration mistakes.
   */
  create(
    context: LmProviderContext<z.output<Schema>>,
  ): LmProviderConnection | Promise<LmProviderConnection>;
};

/**
 * Declares an LM provider block: the provider supplies the wire call, and the block gets the
 * engine — limits, backoff, retries, cache, structured-output repair, cost and events. Name the
 * returned definition under `dgt.blocks` in the package's package.json to make it a block type.
 *
 * @example
 * export default defineLmProvider({
 *   description: 'LM calls to Example AI',
 *   create({ settings, env, block }) {
 *     const apiKey = loadApiKey({ apiKey: settings.apiKey, env, variable: 'EXAMPLE_API_KEY', block });
 *     const baseUrl = settings.baseUrl ?? 'https://api.example.com';
 *     return {
 *       name: 'example',
 *       endpoint: baseUrl,
 *       apiKey,
 *       async complete(request, signal) {
 *         const res = await fetch(`${baseUrl}/generate`, { method: 'POST', signal, body: … });
 *         if (!res.ok) throw await readHttpError(res, { what: 'Example AI' });
 *         const body = await res.json();
 *         return { choices: [{ text: body.text }], usage: { prompt_tokens: body.in, completion_tokens: body.out } };
 *       },
 *     };
 *   },
 * });
 */
export function defineLmProvider<
  Schema extends z.ZodType<LmBlockConfig> = typeof lmBlockConfigSchema,
>(definition: LmProviderDefinition<Schema>): DefinedBlock<Schema> {
  const configSchema = (definition.configSchema ?? lmBlockConfigSchema) as Schema;
  return defineBlock({
    role: 'lm',
    settings: lmRunOptions,
    description: definition.description,
    configSchema,
    // A zod schema's Standard Schema output is its `z.output`.
    create: (config, ctx) =>
      createProviderBlock(
        definition,
        config as z.output<Schema> & { name: string; type: string },
        ctx,
      ),
  });
}

async function createProviderBlock<Schema extends z.ZodType<LmBlockConfig>>(
  definition: LmProviderDefinition<Schema>,
  config: z.output<Schema> & { name: string; type: string },
  ctx: BlockInitContext,
) {
  const block = { name: config.name, type: config.type };
  const settings = resolveLmConfig(config, definition.defaults);
  const connection = await definition.create({
    config,
    settings,
    env: ctx.env,
    block,
    purpose: ctx.purpose ?? 'run',
  });
  const describe =
    connection.describeError?.bind(connection) ??
    ((error: unknown) => describeProviderError(error, connection.endpoint));
  const provider: LmProvider = {
    name: connection.name,
    endpoint: connection.endpoint,
    complete: connection.complete.bind(connection),
    describeError: describe,
    ...(connection.batch ? { batch: connection.batch } : {}),
    ...(connection.close ? { close: connection.close.bind(connection) } : {}),
  };
  const instance = await createLmBlock({
    name: config.name,
    type: config.type,
    config: {
      ...settings,
      ...(connection.apiKey ? { apiKey: connection.apiKey } : {}),
    },
    provider,
    env: ctx.env,
    purpose: ctx.purpose,
    ...(ctx.sharedStateUrl ? { sharedStateUrl: ctx.sharedStateUrl } : {}),
  });
  const { embeddings } = connection;
  if (!embeddings) return instance;
  return withEmbeddings(
    instance,
    {
      name: connection.name,
      endpoint: connection.endpoint,
      embed: embeddings.embed.bind(embeddings),
      describeError: embeddings.describeError?.bind(embeddings) ?? describe,
    },
    settings,
  );
}
