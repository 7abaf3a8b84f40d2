import { createRandom, plausibleText, sampleFromJsonSchema } from '@dgt/core';
import { guardianConfig, guardianReply } from './guardian.js';
import type { FakeTool, ParsedLmRequest } from './server.js';
import type { FakeReply, FakeRequest, FakeToolCall } from './types.js';

/** JSON with object keys sorted, so equal bodies hash alike whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The reply a fake server gives when no `reply` option is set: a pure function of the body, how
 * often that body was seen before and the choice index. A schema gets JSON that fills it, JSON
 * mode a small object, a Granite Guardian request (`chat_template_kwargs.guardian_config`) a
 * guardian verdict (see {@link guardianReply}), anything else a sentence or two of English.
 */
export function defaultReply(req: FakeRequest): string {
  if (guardianConfig(req)) return guardianReply(req);
  const random = createRandom(`${canonicalJson(req.body)}#${req.sameBodyCount}#${req.choice}`);
  if (req.schema) return JSON.stringify(sampleFromJsonSchema(req.schema, random));
  if (req.json) {
    return JSON.stringify({ answer: plausibleText(random, 1), confidence: random.int(101) / 100 });
  }
  return plausibleText(random, 1 + random.int(2));
}

/** Approximate token count: whitespace-separated words. */
export function countTokens(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** A reply cut the way a server cuts it: at the first stop sequence, or after `maxTokens` words. */
export type ShapedReply = {
  text: string;
  finishReason: 'stop' | 'length' | 'tool_calls';
  tokens: number;
  /** The stop sequence that cut the reply, if one did. */
  stopSequence?: string;
  toolCalls?: Array<FakeToolCall & { id: string }>;
  logprobs?: Array<{
    token: string;
    logprob: number;
    top_logprobs: Array<{ token: string; logprob: number }>;
  }>;
};

/** The tool a request forces, if it forces one. */
export function forcedTool(parsed: ParsedLmRequest): FakeTool | undefined {
  const { tools, toolChoice } = parsed;
  if (!tools?.length || toolChoice === undefined || toolChoice === 'auto' || toolChoice === 'none')
    return undefined;
  if (toolChoice === 'required') return tools[0];
  return tools.find((t) => t.name === toolChoice.name);
}

/** A call of `tool` with arguments that fill its parameter schema, derived from the request. */
export function defaultToolCall(req: FakeRequest, tool: FakeTool): FakeToolCall {
  const random = createRandom(`${canonicalJson(req.body)}#${req.sameBodyCount}#${req.choice}#tool`);
  return { name: tool.name, arguments: sampleFromJsonSchema(tool.parameters, random) };
}

// Deterministic, plausible log-probabilities: earlier words are more certain.
function fakeLogprobs(text: string, top: number): ShapedReply['logprobs'] {
  return (text.match(/\S+\s*/g) ?? []).map((token, i) => {
    const logprob = -((i % 7) + 1) / 20;
    return {
      token,
      logprob,
      top_logprobs: Array.from({ length: top }, (_, k) => ({
        token: k === 0 ? token : `${token.trim()}~${k}`,
        logprob: k === 0 ? logprob : logprob - k,
      })),
    };
  });
}

/** Turns what a `reply` gave (text or tool calls) into a shaped choice for the protocol to write. */
export function shapeChoice(
  out: string | FakeReply,
  parsed: ParsedLmRequest,
  req: FakeRequest,
): ShapedReply {
  const reply = typeof out === 'string' ? { text: out } : out;
  const shaped = shapeReply(reply.text ?? '', parsed.stop, parsed.maxTokens);
  if (reply.toolCalls?.length) {
    shaped.finishReason = 'tool_calls';
    shaped.toolCalls = reply.toolCalls.map((call, i) => ({
      id: `call_${req.index}_${req.choice}_${i}`,
      ...call,
    }));
    shaped.tokens += reply.toolCalls.reduce(
      (sum, c) => sum + countTokens(JSON.stringify(c.arguments)),
      0,
    );
  }
  if (parsed.logprobs !== undefined) shaped.logprobs = fakeLogprobs(shaped.text, parsed.logprobs);
  return shaped;
}

/** Applies stop sequences and the token limit to a reply text. */
export function shapeReply(
  text: string,
  stop: string[],
  maxTokens: number | undefined,
): ShapedReply {
  let out = text;
  let stopSequence: string | undefined;
  for (const s of stop) {
    const at = s === '' ? -1 : out.indexOf(s);
    if (at >= 0) {
      out = out.slice(0, at);
      stopSequence = s;
    }
  }
  if (maxTokens !== undefined && countTokens(out) > maxTokens) {
    const words = out.match(/\S+\s*/g) ?? [];
    return {
      text: words.slice(0, maxTokens).join('').trimEnd(),
      finishReason: 'length',
      tokens: maxTokens,
    };
  }
  return {
    text: out,
    finishReason: 'stop',
    tokens: countTokens(out),
    ...(stopSequence !== undefined ? { stopSequence } : {}),
  };
}
