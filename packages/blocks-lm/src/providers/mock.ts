import { canonicalJson, createRandom, plausibleText } from '@dgt/core';
import { abortReason } from '../engine/limiter.js';
import { estimateTokens, type LmProvider, type ProviderRequest } from '../engine/provider.js';
import { structuredMockReply } from './mock-reply.js';

function cut(text: string, stop: string[] | undefined, maxTokens: number | undefined): string {
  let out = text;
  for (const s of stop ?? []) {
    const at = s ? out.indexOf(s) : -1;
    if (at >= 0) out = out.slice(0, at);
  }
  if (maxTokens !== undefined)
    out = (out.match(/\S+\s*/g) ?? []).slice(0, maxTokens).join('').trimEnd();
  return out;
}

/**
 * A guardian model's answer (a request carrying `chat_template_kwargs.guardian_config`, as
 * `validators/granite_guardian` sends): a prompt judged alone is risky, a conversation ending in
 * an assistant's reply is safe, so a dry run of a refusal task passes both of its checks.
 */
function guardianVerdict(request: ProviderRequest): string | undefined {
  const kwargs = request.params.chat_template_kwargs as { guardian_config?: unknown } | undefined;
  if (!kwargs?.guardian_config) return undefined;
  return request.messages.some((m) => m.role === 'assistant') ? 'No' : 'Yes';
}

/**
 * A deterministic, offline provider: each reply is derived from a hash of the model, the rendered
 * input, the decoding parameters and how many identical requests this block made before, so
 * reruns reproduce a run while repeated prompts still get different replies. Replies fill the
 * response schema when one is asked (never cut, so they stay valid), their text written from the
 * examples the prompt shows and the row's known values; else they are English sentences cut at
 * `stop` and `max_tokens` like a server would.
 */
export function createMockProvider(): LmProvider {
  const seen = new Map<string, number>();
  return {
    name: 'mock',
    endpoint: 'mock:',
    async complete(request, signal) {
      if (signal.aborted) throw abortReason(signal);
      const input = request.method === 'completion' ? request.prompt : request.messages;
      const key = canonicalJson({
        model: request.model,
        method: request.method,
        input,
        params: request.params,
        schema: request.responseSchema?.schema,
      });
      const sequence = seen.get(key) ?? 0;
      seen.set(key, sequence + 1);
      const texts = Array.from({ length: request.params.n ?? 1 }, (_, i) => {
        const random = createRandom(`${key}#${sequence}#${i}`);
        const verdict = guardianVerdict(request);
        if (verdict) return verdict;
        if (request.responseSchema) {
          const schema = request.responseSchema.schema;
          return JSON.stringify(
            structuredMockReply(schema, request.prompt, request.row ?? {}, random),
          );
        }
        return cut(
          plausibleText(random, 1 + random.int(2)),
          request.params.stop,
          request.params.max_tokens,
        );
      });
      return {
        choices: texts.map((text) => ({ text })),
        usage: {
          prompt_tokens: estimateTokens(request.messages.map((m) => m.content).join(' ')),
          completion_tokens: texts.reduce((sum, t) => sum + estimateTokens(t), 0),
        },
      };
    },
    describeError: (error) => ({
      retryable: false,
      message: error instanceof Error ? error.message : String(error),
    }),
  };
}
