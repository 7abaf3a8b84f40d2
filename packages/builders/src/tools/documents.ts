/** A document a search engine returns: its id, its text, and the corpus record's other fields. */
export type SearchDocument = {
  id: string;
  text: string;
  /** Every other field of the corpus record (title, domain, url, …). */
  metadata: Record<string, unknown>;
};

/** A document in the flat form records store: `{id, text, …metadata}`. */
export function documentRecord(document: SearchDocument): Record<string, unknown> {
  return { ...document.metadata, id: document.id, text: document.text };
}

/**
 * Reads a corpus record as a document. `projection` maps corpus field names to the canonical
 * `text` and `id` (DiGiT's `{body: text, doc_id: id}`); a record without the projected field
 * falls back to its own `text` / `id`, and a record without an id gets its position.
 */
export function toDocument(
  record: Record<string, unknown>,
  index: number,
  projection: Record<string, string>,
): SearchDocument {
  const sourceOf = (canonical: string) =>
    Object.entries(projection).find(([, target]) => target === canonical)?.[0] ?? canonical;
  const textKey = sourceOf('text');
  const idKey = sourceOf('id');
  const textField = record[textKey] !== undefined ? textKey : 'text';
  const idField = record[idKey] !== undefined ? idKey : 'id';
  const text = record[textField];
  const id = record[idField];
  const metadata = Object.fromEntries(
    Object.entries(record).filter(([key]) => key !== textField && key !== idField),
  );
  return {
    id: id === undefined || id === null ? String(index) : String(id),
    text: typeof text === 'string' ? text : text === undefined ? '' : JSON.stringify(text),
    metadata,
  };
}

/** Documents as numbered blocks for a prompt, each cut to `maxChars` characters when given. */
export function renderDocuments(
  documents: readonly Record<string, unknown>[],
  maxChars?: number,
): string {
  return documents
    .map((document, i) => {
      const title = document.title ?? document.id;
      let text = String(document.text ?? '').trim();
      if (maxChars !== undefined && text.length > maxChars) text = `${text.slice(0, maxChars)} …`;
      return `[Document ${i + 1}${title ? `: ${String(title)}` : ''}]\n${text}`;
    })
    .join('\n\n');
}
