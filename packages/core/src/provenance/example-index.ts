import type { StoredRecord } from '../contracts/v1/datastore.js';

// A label that starts a line of a rendered example ("Question: …", "- answer: …").
const LABEL = /^\s*(?:[-*]\s*)?[\p{L}_ ]{1,24}:\s*/u;

/**
 * Finds which seeds and earlier records a prompt showed as in-context examples, by their text:
 * each known record is indexed under its longest string field, and each line of a prompt (less
 * a leading label such as `Question:`) is looked up. An example rendered in another shape (e.g.
 * as JSON) is not found; provenance then lists none rather than a guess.
 */
export class ExampleIndex {
  private readonly byText = new Map<string, string>();

  /** Indexes a record under its longest string field (at least 8 characters). */
  add(record: StoredRecord, id: string): void {
    let longest = '';
    for (const [key, value] of Object.entries(record))
      if (key !== 'task_name' && typeof value === 'string' && value.trim().length > longest.length)
        longest = value.trim();
    if (longest.length >= 8 && !this.byText.has(longest)) this.byText.set(longest, id);
  }

  /** Ids of the indexed records whose text is a line of `prompt`, in prompt order. */
  find(prompt: unknown): string[] {
    const text =
      typeof prompt === 'string'
        ? prompt
        : Array.isArray(prompt)
          ? prompt
              .map((m) => (m && typeof m === 'object' ? (m as { content?: unknown }).content : ''))
              .filter((c): c is string => typeof c === 'string')
              .join('\n')
          : '';
    const ids: string[] = [];
    for (const line of text.split('\n')) {
      const trimmed = line.trim();
      const id = this.byText.get(trimmed) ?? this.byText.get(trimmed.replace(LABEL, ''));
      if (id && !ids.includes(id)) ids.push(id);
    }
    return ids;
  }
}
