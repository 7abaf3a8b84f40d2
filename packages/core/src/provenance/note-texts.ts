import type { RowNote } from '../contracts/v1/block.js';

// Texts are screened by their 8-character pieces: a needle (at least 8 characters, see
// provenance-entry.ts) can only be in a text that holds every piece of it.
const GRAM = 8;
const B = 31;
// B^(GRAM-1), to drop the character leaving the rolling window.
const B_TOP = B ** (GRAM - 1);
// The filter of all of an attempt's texts: ~4 bits a piece for 256 replies of 250 characters.
const ALL_BITS = 1 << 18;

const JSON_STRING = /"((?:[^"\\]|\\.)*)"/g;

type Screened = { text: string; bits: Uint32Array; mask: number };

/** Texts to look for, with their pieces worked out once for all the attempts searched. */
export type Needles = { texts: readonly string[]; pieces: readonly number[][] };

/** Prepares `texts` for {@link NoteTexts.firstContaining}. */
export function needles(texts: readonly string[]): Needles {
  return { texts, pieces: texts.map((text) => spread(piecesOf(text))) };
}

/**
 * Pieces reordered so the first ones tested are far apart (0, 8, 16, …, then 1, 9, …): texts that
 * share a needle's first words (replies of one prompt often do) are told apart sooner.
 */
function spread(pieces: readonly number[]): number[] {
  const out: number[] = [];
  for (let start = 0; start < GRAM; start++) {
    for (let i = start; i < pieces.length; i += GRAM) out.push(pieces[i] as number);
  }
  return out;
}

/**
 * The texts of one attempt's LM requests for a task (their replies, or their prompts), to find
 * which request holds a record's text. Provenance asks this for every record it writes, and a
 * record with no trace of its own is looked for in up to 32 recent attempts of hundreds of
 * requests each: scanning them all for every record took ~60 µs a record. Each text keeps a bit
 * filter of its 8-character pieces, so a text that lacks a piece of the needle is passed over
 * after a bit test or two, and only the rest are searched; a reply that holds the needle as a
 * whole JSON string (structured output) is found by one lookup. The request list only grows
 * (requests finish during the attempt); requests added later are taken in on the next search.
 */
export class NoteTexts {
  private readonly screened: Screened[] = [];
  /** The pieces of every text: most attempts lack a piece of the needle and are passed over. */
  private readonly all = new Uint32Array(ALL_BITS / 32);
  /** Each JSON string in the texts (as written, escapes kept) → the first note holding it. */
  private readonly literals = new Map<string, number>();
  private literalsTaken = 0;

  /** `textOf` gives a note's text, or undefined for a note that can match nothing. */
  constructor(
    private readonly notes: readonly RowNote[],
    private readonly textOf: (note: RowNote) => string | undefined,
  ) {}

  /** The first note (in order) with one of `texts` as a whole JSON string, or undefined. */
  withLiteral(texts: readonly string[]): RowNote | undefined {
    for (let n = this.literalsTaken; n < this.notes.length; n++) {
      for (const match of this.textAt(n).matchAll(JSON_STRING)) {
        const literal = match[1] as string;
        if (!this.literals.has(literal)) this.literals.set(literal, n);
      }
    }
    this.literalsTaken = this.notes.length;
    let best = Infinity;
    for (const text of texts) best = Math.min(best, this.literals.get(text) ?? Infinity);
    return best < Infinity ? this.notes[best] : undefined;
  }

  /** The first note (in order) whose text contains one of `needles`, or undefined. */
  firstContaining({ texts, pieces }: Needles): RowNote | undefined {
    for (let n = this.screened.length; n < this.notes.length; n++) {
      const text = this.textAt(n);
      const pieces = piecesOf(text);
      this.screened.push(screen(text, pieces));
      setAll(this.all, ALL_BITS - 1, pieces);
    }
    const wanted: number[] = [];
    for (let k = 0; k < texts.length; k++) {
      if (holdsAll(this.all, ALL_BITS - 1, pieces[k] as number[])) wanted.push(k);
    }
    if (wanted.length === 0) return undefined;
    for (let n = 0; n < this.screened.length; n++) {
      const { text, bits, mask } = this.screened[n] as Screened;
      for (const k of wanted) {
        if (holdsAll(bits, mask, pieces[k] as number[]) && text.includes(texts[k] as string)) {
          return this.notes[n];
        }
      }
    }
    return undefined;
  }

  private textAt(n: number): string {
    return this.textOf(this.notes[n] as RowNote) ?? '';
  }
}

/** The request lists' texts, kept while the lists live (one list per attempt and task). */
export class NoteTextIndex {
  private readonly replies = new WeakMap<readonly RowNote[], NoteTexts>();
  private readonly prompts = new WeakMap<readonly RowNote[], NoteTexts>();

  /** The replies of `notes`. */
  repliesOf(notes: readonly RowNote[]): NoteTexts {
    return cached(this.replies, notes, replyOf);
  }

  /** The prompts of `notes` (chat prompts as their JSON). */
  promptsOf(notes: readonly RowNote[]): NoteTexts {
    return cached(this.prompts, notes, promptOf);
  }
}

const replyOf = (note: RowNote) => (typeof note.response === 'string' ? note.response : undefined);
const promptOf = (note: RowNote) =>
  typeof note.prompt === 'string' ? note.prompt : JSON.stringify(note.prompt);

function cached(
  map: WeakMap<readonly RowNote[], NoteTexts>,
  notes: readonly RowNote[],
  textOf: (note: RowNote) => string | undefined,
): NoteTexts {
  let texts = map.get(notes);
  if (!texts) {
    texts = new NoteTexts(notes, textOf);
    map.set(notes, texts);
  }
  return texts;
}

/** A text with a filter of its pieces, ~4 bits a piece (a power of two, at least 64). */
function screen(text: string, pieces: readonly number[]): Screened {
  let size = 64;
  while (size < text.length * 4) size *= 2;
  const bits = new Uint32Array(size / 32);
  setAll(bits, size - 1, pieces);
  return { text, bits, mask: size - 1 };
}

function setAll(bits: Uint32Array, mask: number, pieces: readonly number[]): void {
  for (const hash of pieces) {
    const at = hash & mask;
    bits[at >>> 5] = (bits[at >>> 5] as number) | (1 << (at & 31));
  }
}

function holdsAll(bits: Uint32Array, mask: number, pieces: readonly number[]): boolean {
  for (const hash of pieces) {
    const at = hash & mask;
    if (((bits[at >>> 5] as number) & (1 << (at & 31))) === 0) return false;
  }
  return true;
}

/** The hashes of every 8-character piece of `text` (a rolling hash), mixed over 32 bits. */
function piecesOf(text: string): number[] {
  const out: number[] = [];
  if (text.length < GRAM) return out;
  let hash = 0;
  for (let i = 0; i < GRAM; i++) hash = (Math.imul(hash, B) + text.charCodeAt(i)) | 0;
  out.push(mix(hash));
  for (let i = GRAM; i < text.length; i++) {
    hash =
      (Math.imul(hash - Math.imul(text.charCodeAt(i - GRAM), B_TOP), B) + text.charCodeAt(i)) | 0;
    out.push(mix(hash));
  }
  return out;
}

function mix(hash: number): number {
  let x = Math.imul(hash ^ (hash >>> 16), 0x45d9f3b);
  x ^= x >>> 16;
  return x >>> 0;
}
