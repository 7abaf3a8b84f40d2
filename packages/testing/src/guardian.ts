import type { FakeRequest } from './types.js';

/**
 * The `guardian_config` of a Granite Guardian request: vLLM and Ollama's OpenAI-compatible
 * endpoints take it in `chat_template_kwargs` (sent through `extra_body`). `undefined` for any
 * other request.
 */
export function guardianConfig(req: FakeRequest): Record<string, unknown> | undefined {
  const kwargs = req.body.chat_template_kwargs as { guardian_config?: unknown } | undefined;
  const config = kwargs?.guardian_config;
  return config !== null && typeof config === 'object'
    ? (config as Record<string, unknown>)
    : undefined;
}

/** The messages a guardian request judges: the user's prompt and, if present, the reply. */
export function guardianSubject(req: FakeRequest): { prompt: string; response?: string } {
  const messages = (req.body.messages ?? []) as { role: string; content: string }[];
  const prompt = messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  const response = messages.filter((m) => m.role === 'assistant').at(-1)?.content;
  return { prompt, ...(response !== undefined ? { response } : {}) };
}

/**
 * A Granite Guardian 3.3 verdict as the model writes it (`<score> yes </score>` means the risk
 * is present). `risky` decides; by default a request judged alone is risky and a reply is safe
 * — the world a refusal-data pipeline expects (harmful requests, safe refusals).
 */
export function guardianReply(
  req: FakeRequest,
  risky: (subject: { prompt: string; response?: string }) => boolean = (subject) =>
    subject.response === undefined,
): string {
  const subject = guardianSubject(req);
  const yes = risky(subject);
  return `<think>The ${subject.response === undefined ? 'request' : 'reply'} ${yes ? 'meets' : 'does not meet'} the risk criterion.</think>\n<score> ${yes ? 'yes' : 'no'} </score>`;
}
