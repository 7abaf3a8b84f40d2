import { plausibleText, type RandomSource, sampleFromJsonSchema } from '@dgt/core';

// The mock LM answers like a model that read its prompt: a reply's fields are filled with text
// taken from the examples the prompt shows (a builder's prompt carries the task's seeds and
// earlier outputs), varied by swapping a word or two for other words of those examples, so a dry
// run looks like the data the task describes. Values the row itself carries (a transformation's
// known `answer` for a `final_answer`) are given back as they are, so builders' checks pass.

type Schema = Record<string, unknown>;

/** What a prompt shows: example values by label (lower case), and the words of all of them. */
export type PromptMaterial = { values: Map<string, string[]>; words: string[] };

/** Labels a prompt may give a field's examples under, besides the field's own name. */
const LABELS: Record<string, readonly string[]> = {
  question: ['question', 'request', 'instruction', 'query', 'problem', 'task'],
  answer: ['answer', 'output', 'response', 'answer given', 'final answer'],
  context: ['context', 'input'],
};

/** Prefixes that name a known value: `final_answer` is the record's `answer`. */
const KNOWN_PREFIX = /^(?:final|expected|correct|gold|reference)_/;

/** How often a yes/no field of a reply is true. */
const JUDGE_PASS_RATE = 0.9;

const PLACEHOLDER = /^(?:<[^>]*>|\.\.\.|…|<noinput>)$/;

function add(values: Map<string, string[]>, label: string, value: string) {
  const text = value.trim();
  if (!text || PLACEHOLDER.test(text) || text.length > 2000) return;
  const key = label.trim().toLowerCase();
  const list = values.get(key) ?? [];
  if (!list.includes(text)) list.push(text);
  values.set(key, list);
}

/**
 * Reads the labelled example values of a prompt, in the layouts builders' prompts use:
 * `Label: value` lines, `[Label]` or `** Label` headings followed by the value's lines, and
 * `"key": "value"` pairs of JSON examples.
 */
export function readMaterial(prompt: string): PromptMaterial {
  const values = new Map<string, string[]>();
  const lines = prompt.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const inline = /^\s*([A-Za-z][A-Za-z ]{0,24}):\s+(\S.*)$/.exec(line);
    if (inline) {
      add(values, inline[1]!, inline[2]!);
      continue;
    }
    const heading =
      /^\s*(?:\[([A-Za-z][A-Za-z ]{0,24})\]|\*\*\s+([A-Za-z][A-Za-z ]{0,24})|([A-Za-z][A-Za-z ]{0,24}):)\s*$/.exec(
        line,
      );
    if (!heading) continue;
    const body: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const next = lines[j]!;
      if (/^\s*(?:\[[^\]]*\]|\*)/.test(next) || (next.trim() === '' && body.length > 0)) break;
      if (next.trim() !== '') body.push(next.trim());
    }
    add(values, heading[1] ?? heading[2] ?? heading[3]!, body.join('\n'));
  }
  for (const match of prompt.matchAll(/"([A-Za-z_]+)"\s*:\s*"((?:[^"\\]|\\.)*)"/g))
    add(values, match[1]!, match[2]!.replace(/\\(.)/g, '$1'));
  const words = [...values.values()]
    .flat()
    .flatMap((text) => text.split(/\s+/))
    .filter((word) => /^[A-Za-z][A-Za-z'-]{3,}$/.test(word));
  return { values, words: [...new Set(words)] };
}

/** The example values a prompt shows for a reply field. */
function examplesFor(field: string, material: PromptMaterial): string[] {
  const own = field.toLowerCase().replace(/_/g, ' ');
  const labels = [own, ...(LABELS[own] ?? [])];
  return labels.flatMap((label) => material.values.get(label) ?? []);
}

/** A value the row carries for a field: `final_answer` → the row's (or its record's) `answer`. */
function knownValue(field: string, known: Record<string, unknown>): string | undefined {
  if (!KNOWN_PREFIX.test(field)) return undefined;
  const name = field.replace(KNOWN_PREFIX, '');
  for (const source of [known, ...Object.values(known)]) {
    if (source === null || typeof source !== 'object' || Array.isArray(source)) continue;
    const value = (source as Record<string, unknown>)[name];
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  return undefined;
}

/** An example varied by swapping one or two of its longer words for other words of the prompt. */
function vary(example: string, material: PromptMaterial, random: RandomSource): string {
  const tokens = example.split(/(\s+)/);
  const slots = tokens
    .map((token, i) => ({ token, i }))
    .filter(({ token }) => /^[A-Za-z][A-Za-z'-]{3,}$/.test(token));
  const pool = material.words.filter((word) => !example.includes(word));
  if (slots.length === 0 || pool.length === 0) return example;
  const swaps = 1 + random.int(Math.min(2, slots.length));
  for (let n = 0; n < swaps; n++) {
    const slot = slots[random.int(slots.length)]!;
    const word = pool[random.int(pool.length)]!;
    const upper = /^[A-Z]/.test(slot.token);
    tokens[slot.i] = upper ? word[0]!.toUpperCase() + word.slice(1) : word.toLowerCase();
  }
  return tokens.join('');
}

/** A sentence made of a run of words from the prompt's examples (plain text when it has none). */
function sentence(material: PromptMaterial, random: RandomSource): string {
  const texts = [...material.values.values()].flat();
  if (texts.length === 0) return plausibleText(random, 1);
  const words = texts[random.int(texts.length)]!.split(/\s+/).filter(Boolean);
  const length = Math.min(words.length, 4 + random.int(6));
  const start = random.int(words.length - length + 1);
  const text = words
    .slice(start, start + length)
    .join(' ')
    .replace(/[.,;:!?]+$/, '');
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

/** Text for a string field of a reply. */
export function fieldText(
  field: string,
  material: PromptMaterial,
  known: Record<string, unknown>,
  random: RandomSource,
): string {
  const given = knownValue(field, known);
  if (given !== undefined) return given;
  const examples = examplesFor(field, material);
  if (examples.length) return vary(examples[random.int(examples.length)]!, material, random);
  return sentence(material, random);
}

function resolve(schema: unknown, root: Schema): Schema {
  let node = (schema && typeof schema === 'object' ? schema : {}) as Schema;
  for (
    let hops = 0;
    typeof node.$ref === 'string' && node.$ref.startsWith('#/') && hops < 8;
    hops++
  ) {
    let target: unknown = root;
    for (const part of node.$ref.slice(2).split('/'))
      target = (target as Schema | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    node = (target && typeof target === 'object' ? target : {}) as Schema;
  }
  return node;
}

/** Whether any string fits the schema (no enum, const, pattern or format to honour). */
function freeString(schema: Schema): boolean {
  return (
    schema.type === 'string' &&
    schema.enum === undefined &&
    schema.const === undefined &&
    schema.pattern === undefined &&
    schema.format === undefined
  );
}

/** Replaces the free strings of a schema-valid sample with text grounded in the prompt. */
function ground(
  value: unknown,
  schema: Schema,
  field: string,
  root: Schema,
  fill: (field: string) => string,
  random: RandomSource,
): unknown {
  const node = resolve(schema, root);
  // A verdict (a judge's `pass`) is mostly yes, so a dry run exercises what follows the judge.
  if (typeof value === 'boolean' && node.type === 'boolean') return random.next() < JUDGE_PASS_RATE;
  if (typeof value === 'string' && freeString(node)) {
    const text = fill(field);
    const min = typeof node.minLength === 'number' ? node.minLength : 0;
    const max = typeof node.maxLength === 'number' ? node.maxLength : Number.POSITIVE_INFINITY;
    return text.length >= min && text.length <= max ? text : value;
  }
  if (Array.isArray(value)) {
    return value.map((item) => ground(item, resolve(node.items, root), field, root, fill, random));
  }
  if (value !== null && typeof value === 'object') {
    // Of alternatives, the one the sample was made from: the first that has all its keys.
    const branches = ((node.anyOf ?? node.oneOf ?? []) as unknown[]).map((b) => resolve(b, root));
    const branch = branches.find((b) =>
      Object.keys(value).every((key) => key in ((b.properties ?? {}) as Schema)),
    );
    const properties = ((branch ?? node).properties ?? {}) as Record<string, Schema>;
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        properties[key] ? ground(item, properties[key], key, root, fill, random) : item,
      ]),
    );
  }
  return value;
}

/**
 * A structured reply: a sample valid against the response schema, with its free-text fields
 * written from the prompt's examples and the row's known values.
 */
export function structuredMockReply(
  schema: Schema,
  prompt: string,
  known: Record<string, unknown>,
  random: RandomSource,
): unknown {
  const material = readMaterial(prompt);
  const sample = sampleFromJsonSchema(schema, random);
  return ground(
    sample,
    schema,
    '',
    schema,
    (field) => fieldText(field, material, known, random),
    random,
  );
}
