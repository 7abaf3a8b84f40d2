import { parseLabelledRecords } from '@dgt/core';

/** A question/answer pair read from a reply; `context` is the input the question comes with. */
export type QaPair = { question: string; answer: string; context?: string };

const NO_INPUT = /^<\s*no\s*input\s*>$/i;

function clean(value: string | undefined): string {
  return (value ?? '').trim();
}

/**
 * DiGiT's self-instruct text format (InstructLab `simple`): items introduced by `* Task N`, each
 * with `** Instruction`, `** Input` (`<noinput>` when there is none) and `** Output`.
 */
export function parseTaskList(text: string): QaPair[] {
  const pairs: QaPair[] = [];
  for (const part of text.split(/^\s*\*\s*Task\s*\d+\s*$/im)) {
    const fields = part.split(/\*\*\s*(Instruction|Input|Output)\s*:?/i);
    if (fields.length !== 7) continue;
    const byName = new Map<string, string>();
    for (let i = 1; i < fields.length; i += 2) byName.set(fields[i]!.toLowerCase(), fields[i + 1]!);
    const question = clean(byName.get('instruction'));
    const input = clean(byName.get('input'));
    const answer = clean(byName.get('output'));
    if (!question || !answer) continue;
    pairs.push({
      question,
      answer,
      ...(input && !NO_INPUT.test(input) ? { context: input } : {}),
    });
  }
  return pairs;
}

/**
 * DiGiT's knowledge text format: `[Question] … [Answer] … [End]`, repeated. A last pair without
 * its `[End]` may be cut off, so it is dropped when there are others (as DiGiT does).
 */
export function parseBracketed(text: string): QaPair[] {
  const pattern = /\[Question\]\s*([\s\S]*?)\s*\[Answer\]\s*([\s\S]*?)\s*(?=\[Question\]|$)/gi;
  const matches = [...text.matchAll(pattern)];
  if (matches.length > 1 && !/\[END\]/i.test(matches.at(-1)![2]!)) matches.pop();
  const pairs: QaPair[] = [];
  for (const match of matches) {
    const question = clean(match[1]);
    const answer = clean(match[2]!.replace(/\[END\][\s\S]*$/i, ''));
    if (question && answer && !/\[END\]/i.test(question)) pairs.push({ question, answer });
  }
  return pairs;
}

/**
 * Labelled question/answer pairs, repeated: `Question:`/`Answer:`, `**Question:**`, `### Question`,
 * `Q:`/`A:`, numbered (core's shared reply parser).
 */
export function parseLabelled(text: string): QaPair[] {
  return parseLabelledRecords(text, ['question', 'answer']).map((record) => ({
    question: record.question!,
    answer: record.answer!,
  }));
}

/** Question/answer pairs from a plain-text reply in any of the formats above. */
export function parseQaText(text: string): QaPair[] {
  for (const parse of [parseTaskList, parseBracketed, parseLabelled]) {
    const pairs = parse(text);
    if (pairs.length) return pairs;
  }
  return [];
}

/** A pair from a structured-output item (`question`/`instruction`, `answer`/`output`, `context`/`input`). */
export function pairFromObject(item: Record<string, unknown>): QaPair | undefined {
  const str = (value: unknown) =>
    typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
  const question = str(item.question ?? item.instruction);
  const answer = str(item.answer ?? item.output);
  const context = str(item.context ?? item.input);
  if (!question || !answer) return undefined;
  return { question, answer, ...(context && !NO_INPUT.test(context) ? { context } : {}) };
}
