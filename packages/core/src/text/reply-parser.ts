/**
 * Reading what a language model wrote, the way chat models write it when nothing enforces a
 * format: JSON bare, in a Markdown fence, or after a sentence ("Here is the JSON:"); fields as
 * labelled text (`Question: …`, `**Question:** …`, `### Question`, `Q:`/`A:`, numbered items).
 * One parser for the LM engine (before it asks for a repair) and the builders (reading replies),
 * so a reply one of them accepts the other reads alike. Plain text only: nothing here knows LMs.
 */

/**
 * The first JSON object or array in a text: the whole text, a fenced block (```json … ```), or
 * the first balanced `{…}` / `[…]` that parses. `undefined` when there is none.
 */
export function extractJson(text: string): unknown {
  const trimmed = text.trim();
  const whole = tryParse(trimmed);
  if (whole !== undefined && typeof whole === 'object' && whole !== null) return whole;
  for (const match of trimmed.matchAll(/```[a-zA-Z0-9_-]*[ \t]*\r?\n?([\s\S]*?)```/g)) {
    const value = tryParse(match[1]!.trim());
    if (value !== undefined && typeof value === 'object' && value !== null) return value;
  }
  // Candidates in text order; a bounded number, so a reply full of braces costs little.
  let tries = 0;
  for (let i = 0; i < trimmed.length && tries < 20; i++) {
    const c = trimmed[i];
    if (c !== '{' && c !== '[') continue;
    const end = balancedEnd(trimmed, i);
    if (end === -1) continue;
    tries++;
    const value = tryParse(trimmed.slice(i, end + 1));
    if (value !== undefined) return value;
  }
  return undefined;
}

function tryParse(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Index of the bracket closing the one at `start` (strings and escapes respected), or -1. */
function balancedEnd(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') stack.push('}');
    else if (c === '[') stack.push(']');
    else if (c === '}' || c === ']') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/** Short labels chat models use for common fields (`Q:` for the question). */
const SHORT_LABELS: Record<string, readonly string[]> = {
  question: ['q'],
  answer: ['a'],
  instruction: ['q'],
  output: ['a'],
};

/**
 * Records written as labelled text: for each field name (`question`), a line starting with its
 * label (`Question:`, `**Question:**`, `**Question**`, `### Question`, `Q:`, after an optional
 * list number or bullet) begins the field's value, which runs to the next label. A label seen
 * again starts the next record. Labels match case-insensitively, with `_` read as a space.
 * Records with fewer than `minFields` fields (default: all of them) are left out.
 */
export function parseLabelledRecords(
  text: string,
  fields: readonly string[],
  minFields = fields.length,
): Record<string, string>[] {
  const labels = new Map<string, string>();
  for (const field of fields) {
    labels.set(field.toLowerCase().replace(/_/g, ' '), field);
    for (const short of SHORT_LABELS[field.toLowerCase()] ?? [])
      if (!labels.has(short)) labels.set(short, field);
  }
  const names = [...labels.keys()]
    .sort((a, b) => b.length - a.length)
    .map((label) => label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[ _]'))
    .join('|');
  // Optional list marker; optional heading or bold; the label; a colon (needed unless the label
  // is a heading or bold); the rest of the line.
  const line = new RegExp(
    `^\\s*(?:\\d+[.)]\\s+|[-•]\\s+)?(#{1,6}\\s*)?(\\*\\*|__)?\\s*(${names})\\s*(\\*\\*|__)?\\s*(:)?\\s*(?:\\*\\*|__)?\\s*(.*)$`,
    'i',
  );
  const records: Record<string, string>[] = [];
  let current: Record<string, string[]> = {};
  let field: string | undefined;
  const flush = () => {
    const record: Record<string, string> = {};
    for (const [key, lines] of Object.entries(current)) {
      const value = lines.join('\n').trim();
      if (value !== '') record[key] = value;
    }
    if (Object.keys(record).length >= Math.max(1, minFields)) records.push(record);
    current = {};
  };
  for (const raw of text.split(/\r?\n/)) {
    const match = line.exec(raw);
    const [, heading, boldOpen, label, boldClose, colon, rest] = match ?? [];
    const marked = heading || colon || (boldOpen && boldClose);
    const name = label ? labels.get(label.toLowerCase().replace(/_/g, ' ')) : undefined;
    if (match && marked && name) {
      if (current[name]) flush();
      field = name;
      current[name] = [rest ?? ''];
      continue;
    }
    if (field) current[field]?.push(raw);
  }
  flush();
  return records;
}

type SchemaNode = {
  type?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  required?: readonly string[];
};

/**
 * A reply read as the JSON value a JSON Schema describes: the JSON in it (see
 * {@link extractJson}), else its labelled text shaped like the schema — an object of text
 * fields from one labelled record, or an object whose one array property holds objects of
 * text fields from every labelled record. Text fields the schema requires but the reply left
 * out are empty strings. `undefined` when the reply holds neither.
 */
export function parseReply(text: string, schema?: Record<string, unknown>): unknown {
  const json = extractJson(text);
  if (json !== undefined || !schema) return json;
  return labelledAsSchema(text, schema as SchemaNode);
}

/**
 * The labelled-text reading of a reply for a schema alone (see {@link parseReply}), for a caller
 * whose JSON reading did not fit the schema. `undefined` when the schema has no text fields to
 * label or the reply has none of them.
 */
export function labelledAsSchema(text: string, schema: Record<string, unknown>): unknown {
  const node = schema as SchemaNode;
  const flat = textFields(node);
  if (flat) {
    const [record] = parseLabelledRecords(text, flat, Math.min(2, flat.length));
    return record ? fill(record, node) : undefined;
  }
  const entries = Object.entries(node.properties ?? {});
  const arrays = entries.filter(([, value]) => value.type === 'array' && value.items);
  if (arrays.length !== 1) return undefined;
  const [key, array] = arrays[0]!;
  const itemFields = textFields(array.items!);
  if (!itemFields) return undefined;
  const records = parseLabelledRecords(text, itemFields, Math.min(2, itemFields.length));
  if (records.length === 0) return undefined;
  return { [key]: records.map((record) => fill(record, array.items!)) };
}

/** The property names of an object schema whose properties are all strings, else `undefined`. */
function textFields(node: SchemaNode): string[] | undefined {
  if (node.type !== 'object' || !node.properties) return undefined;
  const entries = Object.entries(node.properties);
  if (entries.length === 0 || entries.some(([, value]) => value.type !== 'string'))
    return undefined;
  return entries.map(([key]) => key);
}

function fill(record: Record<string, string>, node: SchemaNode): Record<string, string> {
  const out = { ...record };
  for (const key of node.required ?? []) out[key] ??= '';
  return out;
}
