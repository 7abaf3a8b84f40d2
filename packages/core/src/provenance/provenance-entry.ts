import type { RowNote } from '../contracts/v1/block.js';
import type { StoredRecord } from '../contracts/v1/datastore.js';
import type { AttemptTrace, RecentTraces, Verdict } from '../runner/row-trace.js';
import { loadedTemplateHashes } from '../template/prompt-template.js';
import type { ExampleIndex } from './example-index.js';
import { NoteTextIndex, needles as prepare } from './note-texts.js';
import { recordId } from './record-id.js';

/** What a run knows about where its records come from, beyond each attempt (versions, run id). */
export type ProvenanceContext = {
  runId: string;
  builder: { id: string; version: string };
  /** Block name → `type@version` of the package that provides it. */
  blocks: Record<string, string>;
};

/**
 * One line of `provenance.jsonl`: how one record of `data.jsonl` was made. Line `i` describes
 * line `i` of `data.jsonl`; `id` is the record's {@link recordId}.
 */
export type ProvenanceEntry = {
  id: string;
  task: string;
  time: string;
  run_id?: string;
  /** The builder's attempt (call) that produced the record. */
  attempt: number;
  builder?: { id: string; version: string };
  blocks?: Record<string, string>;
  /** Prompt template files loaded by the run, with the sha256 of their text. */
  templates?: { file: string; sha256: string }[];
  /**
   * `record`: the LM requests listed made this very record (the builder returned the row the LM
   * block wrote on). `reply`: the builder built the record afresh, and the request listed is the
   * one of its attempt whose reply contains the record's text. `prompt`: likewise, the request
   * whose prompt contains the record's text (a transformation rating its input). `attempt`: the builder built the record afresh from a reply, so the link to
   * one request is lost; every request of the attempt for this task is listed. `none`: no LM
   * request was seen.
   */
  lm_attribution: 'record' | 'reply' | 'prompt' | 'attempt' | 'none';
  lm: RowNote[];
  /**
   * Seeds (`seed:<n>`, by position) and earlier records (by id) the prompts listed in `lm`
   * showed as examples, found by their text (see `ExampleIndex`).
   */
  examples?: string[];
  /** Every validator the record itself passed through, in order, with the fields it wrote. */
  verdicts: Verdict[];
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  /** With `lm_attribution: attempt`, usage is the attempt's divided evenly among its records. */
  usage_share?: number;
  /** Set when a record was edited in review: the id it had before. */
  edited_from?: string;
  /** Set by resume when a record had no entry (it cannot be reconstructed). */
  missing?: true;
};

// Prompts and replies can be long: provenance keeps enough to read, not whole documents.
const RECORD_TEXT_LIMIT = 20_000;
const ATTEMPT_TEXT_LIMIT = 2_000;

function clip(text: string, limit: number): string {
  return text.length > limit
    ? `${text.slice(0, limit)}… [${text.length - limit} more characters]`
    : text;
}

function clipNote(note: RowNote, limit: number): RowNote {
  const out: RowNote = { ...note };
  if (typeof out.response === 'string') out.response = clip(out.response, limit);
  if (out.prompt !== undefined) {
    const prompt = out.prompt;
    out.prompt = Array.isArray(prompt)
      ? prompt.map((m) =>
          m && typeof m === 'object' && typeof (m as { content?: unknown }).content === 'string'
            ? { ...m, content: clip((m as { content: string }).content, limit) }
            : m,
        )
      : typeof prompt === 'string'
        ? clip(prompt, limit)
        : prompt;
  }
  return out;
}

/**
 * The provenance entries of records accepted together (one attempt's records for one task).
 * `originals[i]` is the object the builder returned for `records[i]` (the key of its trace).
 */
export function provenanceEntries(
  task: string,
  made: {
    /** The attempt number. */
    number: number;
    /** What its blocks noted. */
    trace: AttemptTrace | undefined;
    /** The task's recent attempts, searched for the reply a record was built from. */
    recent: RecentTraces;
  },
  originals: readonly object[],
  records: readonly StoredRecord[],
  context: ProvenanceContext | undefined,
  examples?: ExampleIndex,
  texts: NoteTextIndex = new NoteTextIndex(),
): ProvenanceEntry[] {
  const attempt = made.number;
  const traces = originals.map((record) => made.trace?.rows.get(record));
  const known = traces.find((t) => t)?.attempt;
  // Records built afresh from replies: find the attempt (and request) by the reply's text.
  const candidates: readonly AttemptTrace[] = known ? [known] : made.recent.newestFirst();
  const matches = records.map((record, i) =>
    traces[i]?.lm.length ? undefined : replyMatch(record, candidates, task, texts),
  );
  const attemptTrace = known ?? matches.find((m) => m)?.attempt;
  const attemptLm = attemptTrace?.lm.get(task) ?? [];
  const share = records.length > 0 ? 1 / records.length : 0;
  const matchedBy = new Map<RowNote, number>();
  for (const m of matches) if (m) matchedBy.set(m.note, (matchedBy.get(m.note) ?? 0) + 1);
  const time = new Date().toISOString();
  const templates = [...loadedTemplateHashes()].map(([file, sha256]) => ({ file, sha256 }));
  return records.map((record, i) => {
    const trace = traces[i];
    const own = trace?.lm ?? [];
    const match = matches[i];
    const attribution = own.length
      ? 'record'
      : match
        ? match.via
        : attemptLm.length
          ? 'attempt'
          : 'none';
    const lm =
      attribution === 'record'
        ? own.map((n) => clipNote(n, RECORD_TEXT_LIMIT))
        : match
          ? [clipNote(match.note, RECORD_TEXT_LIMIT)]
          : attemptLm.map((n) => clipNote(n, ATTEMPT_TEXT_LIMIT));
    // A reply that made several records shares its usage among them (counted by the caller's
    // records that matched it); an attempt's usage is shared among all its records.
    const factor =
      attribution === 'attempt' ? share : match ? 1 / (matchedBy.get(match.note) as number) : 1;
    const shown = examples ? [...new Set(lm.flatMap((note) => examples.find(note.prompt)))] : [];
    const sum = (pick: (n: RowNote) => number) =>
      lm.reduce((total, note) => total + pick(note), 0) * factor;
    return {
      id: recordId(record),
      task,
      time,
      ...(context ? { run_id: context.runId, builder: context.builder } : {}),
      attempt,
      ...(context ? { blocks: context.blocks } : {}),
      ...(templates.length ? { templates } : {}),
      lm_attribution: attribution,
      lm,
      ...(shown.length ? { examples: shown } : {}),
      verdicts: trace?.verdicts ?? [],
      prompt_tokens: sum((n) => n.promptTokens),
      completion_tokens: sum((n) => n.completionTokens),
      cost_usd: sum((n) => n.costUsd ?? 0),
      ...(factor !== 1 ? { usage_share: factor } : {}),
    };
  });
}

/** The texts of a record worth looking for in a reply: its longer string fields. */
function needlesOf(record: StoredRecord): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (key === 'task_name' || typeof value !== 'string' || value.trim().length < 8) continue;
    out.push(value.trim());
    // Replies in JSON hold the text escaped.
    const escaped = JSON.stringify(value.trim()).slice(1, -1);
    if (escaped !== value.trim()) out.push(escaped);
  }
  return out.sort((a, b) => b.length - a.length);
}

/**
 * The request of the newest candidate attempt whose reply holds the record's text as a whole JSON
 * string (a structured reply the record was read from), or else whose reply contains the text, or
 * else whose prompt does.
 */
function replyMatch(
  record: StoredRecord,
  attempts: readonly AttemptTrace[],
  task: string,
  index: NoteTextIndex,
): { attempt: AttemptTrace; note: RowNote; via: 'reply' | 'prompt' } | undefined {
  const texts = needlesOf(record);
  if (texts.length === 0) return undefined;
  for (const attempt of attempts) {
    const notes = attempt.lm.get(task);
    const note = notes && index.repliesOf(notes).withLiteral(texts);
    if (note) return { attempt, note, via: 'reply' };
  }
  const needles = prepare(texts);
  for (const attempt of attempts) {
    const notes = attempt.lm.get(task);
    const note = notes && index.repliesOf(notes).firstContaining(needles);
    if (note) return { attempt, note, via: 'reply' };
  }
  for (const attempt of attempts) {
    const notes = attempt.lm.get(task);
    const note = notes && index.promptsOf(notes).firstContaining(needles);
    if (note) return { attempt, note, via: 'prompt' };
  }
  return undefined;
}
