import { createRandom, plausibleText, sampleFromJsonSchema } from '@dgt/core';
import type { FakeRequest } from './types.js';

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
 * mode a small object, anything else a sentence or two of English.
 */
export function defaultReply(req: FakeRequest): string {
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
export type ShapedReply = { text: string; finishReason: 'stop' | 'length'; tokens: number };

/** Applies stop sequences and the token limit to a reply text. */
export function shapeReply(
  text: string,
  stop: string[],
  maxTokens: number | undefined,
): ShapedReply {
  let out = text;
  for (const s of stop) {
    const at = s === '' ? -1 : out.indexOf(s);
    if (at >= 0) out = out.slice(0, at);
  }
  if (maxTokens !== undefined && countTokens(out) > maxTokens) {
    const words = out.match(/\S+\s*/g) ?? [];
    return {
      text: words.slice(0, maxTokens).join('').trimEnd(),
      finishReason: 'length',
      tokens: maxTokens,
    };
  }
  return { text: out, finishReason: 'stop', tokens: countTokens(out) };
}
