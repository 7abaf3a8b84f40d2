import type { ProviderRequest } from '../provider.js';
import { isRetryableStatus } from '../retry.js';
import type { BatchApi, BatchItemResult } from './batch-api.js';

/** Anthropic's limits per message batch: 100 000 requests, 256 MB. */
export const ANTHROPIC_LIMITS = { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 };

type AnthropicModule = typeof import('@anthropic-ai/sdk');
type AnthropicClient = InstanceType<AnthropicModule['default']>;

type ResultLine = {
  custom_id: string;
  result:
    | { type: 'succeeded'; message: unknown }
    | { type: 'errored'; error?: { error?: { type?: string; message?: string } } }
    | { type: 'canceled' | 'expired' };
};

// Anthropic's error types that mean "try again later".
const TRANSIENT = new Set(['api_error', 'overloaded_error', 'rate_limit_error', 'timeout_error']);

/**
 * Anthropic's Message Batches (`/v1/messages/batches`) through `@anthropic-ai/sdk`: one create
 * call with `{custom_id, params}` requests, status by `processing_status`, results streamed from
 * the batch's `results_url`. Requests asking several completions (`n` > 1) run online.
 */
export function createAnthropicBatchApi(
  client: AnthropicClient,
  buildBody: (request: ProviderRequest) => Record<string, unknown>,
  readMessage: (
    raw: unknown,
    request: ProviderRequest,
  ) => {
    choice: { text: string };
    promptTokens: number;
    completionTokens: number;
  },
): BatchApi {
  return {
    limits: ANTHROPIC_LIMITS,
    unsupported: (request) =>
      (request.params.n ?? 1) > 1
        ? 'requests for several completions (n > 1) run online'
        : undefined,
    encode: ({ customId, request }) =>
      JSON.stringify({ custom_id: customId, params: buildBody(request) }),
    async submit(lines, _tag, signal) {
      const requests = lines.map((l) => JSON.parse(l));
      const batch = await client.messages.batches.create({ requests }, { signal });
      return batch.id;
    },
    async find(_tag, { at, count, known }, signal) {
      // Message batches carry no metadata: the candidate is the unknown batch of the same size
      // created closest after the submission began.
      let best: { id: string; distance: number } | undefined;
      for await (const batch of client.messages.batches.list({ limit: 100 }, { signal })) {
        const created = Date.parse(batch.created_at);
        if (created < at - 60_000) break;
        const c = batch.request_counts;
        const total = c.processing + c.succeeded + c.errored + c.canceled + c.expired;
        if (known.has(batch.id) || total !== count || created > at + 600_000) continue;
        const distance = Math.abs(created - at);
        if (!best || distance < best.distance) best = { id: batch.id, distance };
      }
      return best?.id;
    },
    async status(batchId, signal) {
      const batch = await client.messages.batches.retrieve(batchId, {}, { signal });
      return { ended: batch.processing_status === 'ended', status: batch.processing_status };
    },
    async results(batchId, requests, signal) {
      const out: BatchItemResult[] = [];
      const stream = await client.messages.batches.results(batchId, {}, { signal });
      for await (const raw of stream) {
        const line = raw as unknown as ResultLine;
        const request = requests.get(line.custom_id);
        if (!request) continue;
        const { result } = line;
        if (result.type === 'succeeded') {
          try {
            const read = readMessage(result.message, request);
            out.push({
              customId: line.custom_id,
              ok: true,
              response: {
                choices: [read.choice],
                usage: {
                  prompt_tokens: read.promptTokens,
                  completion_tokens: read.completionTokens,
                },
              },
            });
          } catch (error) {
            out.push({
              customId: line.custom_id,
              ok: false,
              kind: 'error',
              failure: { retryable: true, message: (error as Error).message },
            });
          }
        } else if (result.type === 'errored') {
          const type = result.error?.error?.type ?? 'api_error';
          out.push({
            customId: line.custom_id,
            ok: false,
            kind: 'error',
            failure: {
              retryable: TRANSIENT.has(type),
              message: `${type}: ${result.error?.error?.message ?? 'the request failed in the batch'}`,
            },
          });
        } else {
          out.push({
            customId: line.custom_id,
            ok: false,
            kind: result.type === 'expired' ? 'expired' : 'cancelled',
            failure: {
              retryable: true,
              message: `the batch ${result.type === 'expired' ? 'expired' : 'was cancelled'} before this request ran`,
            },
          });
        }
      }
      return out;
    },
    async cancel(batchId, signal) {
      await client.messages.batches.cancel(batchId, {}, { signal });
    },
  };
}
