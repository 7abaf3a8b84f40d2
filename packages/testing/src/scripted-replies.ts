import { defaultReply } from './default-reply.js';
import type { FakeReply, FakeRequest } from './types.js';

/** One rule of {@link scriptedReplies}: which requests it answers, and how. */
export type ReplyRule = {
  /** A text the prompt contains, a pattern it matches, or a test on the whole request. */
  when: string | RegExp | ((req: FakeRequest) => boolean);
  /**
   * The reply: fixed, or computed from the request and `count`, how many requests this rule
   * answered before (0 for the first), so a script can change its answer over a conversation.
   */
  reply: string | FakeReply | ((req: FakeRequest, count: number) => string | FakeReply);
};

function matches(rule: ReplyRule, req: FakeRequest): boolean {
  if (typeof rule.when === 'string') return req.prompt.includes(rule.when);
  if (rule.when instanceof RegExp) return rule.when.test(req.prompt);
  return rule.when(req);
}

/**
 * A `reply` option for the fake servers that scripts a multi-step exchange (the stages of a
 * conversation builder, a judge after a generator): the first rule whose `when` matches a
 * request answers it; a request no rule matches gets the server's default reply.
 *
 * @example
 * const server = await startFakeOpenAI({
 *   reply: scriptedReplies([
 *     { when: 'set the scene', reply: '{"scenario": "A traveller plans a trip."}' },
 *     { when: 'You play the user', reply: (_req, n) => `Question ${n + 1}?` },
 *   ]),
 * });
 */
export function scriptedReplies(
  rules: readonly ReplyRule[],
): (req: FakeRequest) => string | FakeReply {
  const counts = rules.map(() => 0);
  return (req) => {
    const at = rules.findIndex((rule) => matches(rule, req));
    if (at < 0) return defaultReply(req);
    const rule = rules[at]!;
    const count = counts[at]!;
    counts[at] = count + 1;
    return typeof rule.reply === 'function' ? rule.reply(req, count) : rule.reply;
  };
}
