import type OpenAI from 'openai';
import type { OpenAISdk } from '../../providers/openai.js';
import { openaiRequestBody, readOpenAIReply } from '../../providers/openai.js';
import type { ProviderRequest } from '../provider.js';
import { isRetryableStatus, type RequestFailure } from '../retry.js';
import type { BatchApi, BatchItemResult } from './batch-api.js';

/** OpenAI's limits per batch: 50 000 requests, a 200 MB input file. Azure's global batch: 100 000. */
export const OPENAI_LIMITS = { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 };
export const AZURE_LIMITS = { maxRequests: 100_000, maxBytes: 200 * 1024 * 1024 };

/** How an OpenAI-family Batch API is reached: OpenAI proper, or an Azure deployment. */
export type OpenAIBatchTarget = {
  sdk: OpenAISdk;
  client: OpenAI;
  chatMaxKey: 'max_tokens' | 'max_completion_tokens';
  /** The `url` of each line and the batch `endpoint`: `/v1/chat/completions`, Azure `/chat/completions`. */
  path: string;
  /** Overrides the body's model (Azure names the global-batch deployment there). */
  model?: string;
  limits: { maxRequests: number; maxBytes: number };
};

type OutputLine = {
  custom_id?: string;
  response?: { status_code?: number; body?: unknown } | null;
  error?: { code?: string; message?: string } | null;
};

function failureOf(line: OutputLine): BatchItemResult {
  const id = String(line.custom_id);
  if (line.error?.code === 'batch_expired') {
    return {
      customId: id,
      ok: false,
      kind: 'expired',
      failure: { retryable: true, message: line.error.message ?? 'the batch expired first' },
    };
  }
  const status = line.response?.status_code;
  const body = line.response?.body as { error?: { message?: string } } | undefined;
  const message = body?.error?.message ?? line.error?.message ?? 'the request failed in the batch';
  const failure: RequestFailure = {
    retryable: status === undefined || isRetryableStatus(status),
    ...(status !== undefined ? { status } : {}),
    message,
  };
  return { customId: id, ok: false, kind: 'error', failure };
}

function parseLines(text: string): OutputLine[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as OutputLine);
}

/**
 * OpenAI's Batch API through the `openai` SDK (also `AzureOpenAI`): the requests go as a JSONL
 * file (`purpose: batch`) of `{custom_id, method, url, body}` lines, the batch is created over it
 * with a 24 h window, and its output and error files are read back when it has ended. Chat
 * requests only; legacy completions run online.
 */
export function createOpenAIBatchApi(target: OpenAIBatchTarget): BatchApi {
  const { client, sdk } = target;
  return {
    limits: target.limits,
    unsupported: (request) =>
      request.method === 'completion'
        ? 'legacy completions are not batched (chat requests are)'
        : undefined,
    encode({ customId, request }) {
      const body = openaiRequestBody(request, target.chatMaxKey);
      if (target.model) body.model = target.model;
      return JSON.stringify({ custom_id: customId, method: 'POST', url: target.path, body });
    },
    async submit(lines, tag, signal) {
      const file = await client.files.create(
        {
          file: await sdk.toFile(Buffer.from(`${lines.join('\n')}\n`), 'dgt-batch.jsonl'),
          purpose: 'batch',
        },
        { signal },
      );
      const batch = await client.batches.create(
        {
          input_file_id: file.id,
          endpoint: target.path as '/v1/chat/completions',
          completion_window: '24h',
          metadata: { created_by: 'dgt', dgt_submission: tag },
        },
        { signal },
      );
      return batch.id;
    },
    async find(tag, { at }, signal) {
      // Newest first; batches created before the submission began cannot be its batch.
      for await (const batch of client.batches.list({ limit: 100 }, { signal })) {
        if ((batch.metadata as Record<string, string> | null)?.dgt_submission === tag)
          return batch.id;
        if (batch.created_at * 1000 < at - 60_000) break;
      }
      return undefined;
    },
    async status(batchId, signal) {
      const batch = await client.batches.retrieve(batchId, { signal });
      const ended = ['completed', 'failed', 'expired', 'cancelled'].includes(batch.status);
      return { ended, status: batch.status };
    },
    async results(batchId, requests: ReadonlyMap<string, ProviderRequest>, signal) {
      const batch = await client.batches.retrieve(batchId, { signal });
      const out: BatchItemResult[] = [];
      const read = async (id: string | null | undefined) =>
        id ? parseLines(await (await client.files.content(id, { signal })).text()) : [];
      for (const line of await read(batch.output_file_id)) {
        const request = requests.get(String(line.custom_id));
        if (!request) continue;
        if (line.response?.status_code === 200) {
          try {
            out.push({
              customId: String(line.custom_id),
              ok: true,
              response: readOpenAIReply(line.response.body, request),
            });
          } catch (error) {
            out.push({
              customId: String(line.custom_id),
              ok: false,
              kind: 'error',
              failure: { retryable: true, message: (error as Error).message },
            });
          }
        } else out.push(failureOf(line));
      }
      for (const line of await read(batch.error_file_id)) {
        if (requests.has(String(line.custom_id))) out.push(failureOf(line));
      }
      // Requests listed nowhere did not run: the batch failed validation, or was cancelled first.
      const seen = new Set(out.map((r) => r.customId));
      const why = batch.errors?.data?.map((e) => e.message).join('; ');
      for (const id of requests.keys()) {
        if (seen.has(id)) continue;
        out.push({
          customId: id,
          ok: false,
          kind:
            batch.status === 'failed'
              ? 'error'
              : batch.status === 'expired'
                ? 'expired'
                : 'cancelled',
          failure: {
            // A batch the provider refused is sent online once: the requests may be fine alone.
            retryable: true,
            message: `batch ${batchId} ${batch.status}${why ? `: ${why}` : ''}`,
          },
        });
      }
      return out;
    },
    async cancel(batchId, signal) {
      try {
        await client.batches.cancel(batchId, { signal });
      } catch (error) {
        // Ended in the meantime: nothing to cancel.
        if (!(error instanceof sdk.APIError && error.status === 409)) throw error;
      }
    },
  };
}
