import { extractJson } from '@dgt/core';

/**
 * The first JSON object in a model's reply: the whole reply, one inside a ```json fence, or one
 * surrounded by prose (core's shared reply parser). `undefined` when there is none.
 */
export function extractJsonObject(text: string): Record<string, unknown> | undefined {
  const value = extractJson(text);
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A non-empty trimmed string, or `undefined`. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
