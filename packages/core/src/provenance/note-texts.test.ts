import { describe, expect, it } from 'vitest';
import type { RowNote } from '../contracts/v1/block.js';
import { NoteTextIndex, NoteTexts, needles } from './note-texts.js';

const note = (response: unknown): RowNote =>
  ({ kind: 'lm-request', block: 'b', response }) as unknown as RowNote;
const replies = (notes: RowNote[]) =>
  new NoteTexts(notes, (n) => (typeof n.response === 'string' ? n.response : undefined));

describe('NoteTexts', () => {
  it('finds the first note, in note order, that holds any of the needles', () => {
    const notes = [note('alpha beta'), note('gamma delta'), note('beta gamma')];
    const texts = replies(notes);
    expect(texts.firstContaining(needles(['gamma']))).toBe(notes[1]);
    // The later needle is in an earlier note: the earlier note wins, as a scan in order would.
    expect(texts.firstContaining(needles(['beta gamma', 'alpha']))).toBe(notes[0]);
    expect(texts.firstContaining(needles(['alpha', 'beta gamma']))).toBe(notes[0]);
    expect(texts.firstContaining(needles(['epsilon']))).toBeUndefined();
  });

  it('never matches across two notes, and skips notes without text', () => {
    const notes = [note('the end'), note(42), note('start of'), note('the end start of it')];
    const texts = replies(notes);
    // "end\u0000start" cannot match; "end start" only matches inside the last note.
    expect(texts.firstContaining(needles(['end start']))).toBe(notes[3]);
    expect(texts.firstContaining(needles(['the end\u0000start of']))).toBeUndefined();
    expect(texts.firstContaining(needles(['42']))).toBeUndefined();
  });

  it('matches a needle that first occurs across a boundary and later within a note', () => {
    const notes = [note('ab'), note('cab'), note('xx ab\u0000cab')];
    expect(replies(notes).firstContaining(needles(['ab\u0000cab']))).toBe(notes[2]);
  });

  it('takes in requests added to the list after an earlier search', () => {
    const notes = [note('first reply text')];
    const texts = new NoteTextIndex().repliesOf(notes);
    expect(texts.firstContaining(needles(['second reply']))).toBeUndefined();
    notes.push(note('the second reply text'));
    expect(texts.firstContaining(needles(['second reply']))).toBe(notes[1]);
  });

  it('answers as a scan of every note in order would, over random texts and needles', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    // A small alphabet, so that needles often occur, partly occur, or straddle two notes.
    const word = (n: number) => Array.from({ length: n }, () => 'abcd\u00e9'[random(5)]).join('');
    for (let round = 0; round < 200; round++) {
      const notes = Array.from({ length: 1 + random(30) }, () => note(word(random(60))));
      const texts = replies(notes);
      const joined = notes.map((n) => n.response).join('');
      for (let q = 0; q < 10; q++) {
        const wanted = Array.from({ length: 1 + random(3) }, () => {
          const at = random(Math.max(1, joined.length - 8));
          return random(4) === 0 ? word(8 + random(4)) : joined.slice(at, at + 8 + random(6));
        });
        const expected = notes.find((n) => wanted.some((x) => (n.response as string).includes(x)));
        expect(texts.firstContaining(needles(wanted))).toBe(expected);
      }
    }
  });

  it('finds a reply holding the text as a whole JSON string by lookup, escapes as written', () => {
    const notes = [
      note('{"question": "Where is Lima?", "answer": "Peru"}'),
      note('{"question": "Say \\"hi\\" to Lima", "answer": "ok"}'),
      note('{"question": "Where is Lima?"}'),
    ];
    const texts = replies(notes);
    expect(texts.withLiteral(['Where is Lima?'])).toBe(notes[0]);
    expect(texts.withLiteral(['Say \\"hi\\" to Lima'])).toBe(notes[1]);
    // Contained but not a whole string: for firstContaining, not for the lookup.
    expect(texts.withLiteral(['Where is'])).toBeUndefined();
    expect(texts.firstContaining(needles(['Where is']))).toBe(notes[0]);
    notes.push(note('["late reply"]'));
    expect(texts.withLiteral(['late reply'])).toBe(notes[3]);
  });
});
