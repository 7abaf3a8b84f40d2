type Span = { start: number; end: number; words: number };

function wordSpans(text: string, from: number, to: number): Span[] {
  const spans: Span[] = [];
  for (const match of text.slice(from, to).matchAll(/\S+/g)) {
    const start = from + match.index;
    spans.push({ start, end: start + match[0].length, words: 1 });
  }
  return spans;
}

/**
 * Splits a text into chunks of at most `chunkSize` words (whitespace-separated tokens, DiGiT's
 * meaning of `chunk_size`); `chunkSize` < 1 keeps the whole text. Chunks are cut between
 * paragraphs (blank lines) where possible, and inside a paragraph only when it alone is longer
 * than a chunk. Each chunk is the original text from its first word to its last, so line breaks
 * and Markdown survive. As in DiGiT, a short tail (under min(300, chunkSize / 2) words) is joined
 * to the chunk before it rather than standing alone with too little to ask about.
 *
 * @example
 * chunkWords('a b\n\nc d e', 3); // ['a b', 'c d e']
 */
export function chunkWords(text: string, chunkSize: number): string[] {
  const all = wordSpans(text, 0, text.length);
  if (all.length === 0) return [];
  if (chunkSize < 1 || all.length <= chunkSize) return [text.slice(all[0]!.start, all.at(-1)!.end)];
  // Units are paragraphs, or single words of a paragraph longer than a chunk.
  const units: Span[] = [];
  let from = 0;
  for (const separator of [...text.matchAll(/\n[ \t]*\n\s*/g), null]) {
    const to = separator ? separator.index : text.length;
    const words = wordSpans(text, from, to);
    if (words.length > chunkSize) units.push(...words);
    else if (words.length)
      units.push({ start: words[0]!.start, end: words.at(-1)!.end, words: words.length });
    if (separator) from = separator.index + separator[0].length;
  }
  const chunks: Span[] = [];
  for (const unit of units) {
    const last = chunks.at(-1);
    if (last && last.words + unit.words <= chunkSize) {
      last.end = unit.end;
      last.words += unit.words;
    } else chunks.push({ ...unit });
  }
  const tail = chunks.at(-1)!;
  if (chunks.length > 1 && tail.words < Math.min(300, chunkSize / 2)) {
    chunks.pop();
    const previous = chunks.at(-1)!;
    previous.end = tail.end;
    previous.words += tail.words;
  }
  return chunks.map((chunk) => text.slice(chunk.start, chunk.end));
}
