import type { RandomSource } from '../random/seeded-random.js';

/** Options of {@link sampleFromJsonSchema}. */
export type JsonSchemaSampleOptions = {
  /**
   * Name of the field being filled (e.g. `question`, `answer`, `title`): steers the kind of text a
   * string gets. Object properties pass their own name down.
   */
  hint?: string;
  /** How deep recursive `$ref`s may nest before only required fields and minimal arrays are made. */
  maxDepth?: number;
};

type Schema = Record<string, unknown>;

type Walk = { root: Schema; random: RandomSource; depth: number; maxDepth: number };

// Word lists for made-up but readable English. Verbs are regular so their -s forms can be derived.
const words = (text: string): readonly string[] => text.split(' ');
const ADJECTIVES = words(
  'ancient bright careful common curious distant early efficient fragile gentle hidden large ' +
    'local modern narrow natural northern quiet rapid rare regional remote rural seasonal ' +
    'simple small southern stable steady strong tall typical urban useful warm wide young',
);
const NOUNS = words(
  'river mountain forest village harbor bridge market library garden valley island desert ' +
    'festival museum railway farmer teacher engineer student painter lake coast castle ' +
    'factory orchard canal tower school hospital bakery region climate economy language ' +
    'tradition recipe glacier volcano season harvest council',
);
const VERBS = words(
  'affect attract connect contain describe explain follow improve include influence measure ' +
    'mark protect reach reflect shape support supply surround visit welcome serve border ' +
    'cross feed guide host record link',
);
const PREPOSITIONS = words('near beside across behind around beyond along within above below');
const TIMES = [
  'every spring',
  'during the winter',
  'in most years',
  'over the last century',
  'at the end of each season',
  'before the harvest',
  'after heavy rain',
  'throughout the year',
];
const ADVERBS = words('quickly slowly often rarely steadily gradually quietly reliably');

function third(verb: string): string {
  if (/(s|sh|ch|x|z)$/.test(verb)) return verb + 'es';
  if (/[^aeiou]y$/.test(verb)) return verb.slice(0, -1) + 'ies';
  return verb + 's';
}

function plural(noun: string): string {
  if (/(s|sh|ch|x|z)$/.test(noun)) return noun + 'es';
  if (/[^aeiou]y$/.test(noun)) return noun.slice(0, -1) + 'ies';
  if (noun === 'volcano') return 'volcanoes';
  return noun + 's';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

/** A short declarative English sentence, ending with a full stop. */
function statement(r: RandomSource): string {
  const [n1, n2, n3] = r.sample(NOUNS, 3) as [string, string, string];
  const adj = r.pick(ADJECTIVES);
  const adj2 = r.pick(ADJECTIVES);
  const verb = r.pick(VERBS);
  switch (r.int(5)) {
    case 0:
      return `The ${adj} ${n1} ${third(verb)} the ${n2} ${r.pick(PREPOSITIONS)} the ${n3}.`;
    case 1:
      return `Most ${plural(n1)} ${verb} ${adj} ${plural(n2)} ${r.pick(TIMES)}.`;
    case 2:
      return `${capitalize(article(adj))} ${adj} ${n1} can ${verb} the ${n2} when ${plural(n3)} ${r.pick(VERBS)} ${r.pick(ADVERBS)}.`;
    case 3:
      return `Each ${n1} ${r.pick(ADVERBS)} ${third(verb)} ${article(adj2)} ${adj2} ${n2}.`;
    default:
      return `The ${n1} ${r.pick(PREPOSITIONS)} the ${adj} ${n2} is known for its ${adj2} ${plural(n3)}.`;
  }
}

/** A short English question, ending with a question mark. */
function question(r: RandomSource): string {
  const [n1, n2] = r.sample(NOUNS, 2) as [string, string];
  const adj = r.pick(ADJECTIVES);
  const verb = r.pick(VERBS);
  switch (r.int(5)) {
    case 0:
      return `What ${third(verb)} the ${adj} ${n1} ${r.pick(PREPOSITIONS)} the ${n2}?`;
    case 1:
      return `How do ${plural(n1)} ${verb} the ${adj} ${n2}?`;
    case 2:
      return `Why does the ${n1} ${verb} ${adj} ${plural(n2)} ${r.pick(TIMES)}?`;
    case 3:
      return `Which ${n1} ${third(verb)} the ${n2} ${r.pick(TIMES)}?`;
    default:
      return `Where can ${article(adj)} ${adj} ${n1} ${verb} ${article(n2)} ${n2}?`;
  }
}

/**
 * Plausible English text made of `sentences` random sentences (default 2): varied enough that
 * many draws are distinct, and reproducible for a seeded `random`.
 *
 * @example
 * plausibleText(createRandom(7), 1); // e.g. "Most harbors welcome quiet canals every spring."
 */
export function plausibleText(random: RandomSource, sentences = 2): string {
  const count = Math.max(1, Math.floor(sentences));
  return Array.from({ length: count }, () => statement(random)).join(' ');
}

/**
 * Produces a value that validates against a JSON Schema, for fake LM replies and tests. Covers
 * objects (`properties`, `required`, `additionalProperties`), arrays (`items`, `prefixItems`,
 * `minItems`, `maxItems`), strings (`enum`, `const`, `minLength`, `maxLength`, `format` date,
 * date-time, time, email, uri, uuid, best effort), numbers and integers (`minimum`, `maximum`,
 * exclusive bounds, `multipleOf`), booleans, null, `anyOf`/`oneOf` (one branch), `allOf` (merged),
 * type arrays and local `$ref`s (`#/$defs/…`, `#/definitions/…`). `pattern` is not honoured.
 * Strings are English phrases whose kind follows the field name (a question for `question`).
 *
 * @example
 * sampleFromJsonSchema(
 *   { type: 'object', properties: { question: { type: 'string' } }, required: ['question'] },
 *   createRandom(1),
 * ); // { question: 'How do farmers protect the quiet harbor?' }
 */
export function sampleFromJsonSchema(
  schema: Record<string, unknown>,
  random: RandomSource,
  options: JsonSchemaSampleOptions = {},
): unknown {
  const walk: Walk = { root: schema, random, depth: 0, maxDepth: options.maxDepth ?? 4 };
  return sample(schema, walk, options.hint);
}

function resolveRef(ref: string, root: Schema): Schema {
  if (!ref.startsWith('#')) throw new Error(`only local $ref is supported, got ${ref}`);
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as Schema)[key] : undefined;
  }
  if (typeof node !== 'object' || node === null) throw new Error(`unresolvable $ref ${ref}`);
  return node as Schema;
}

function asSchema(value: unknown): Schema {
  if (value === true || value === undefined) return {};
  return typeof value === 'object' && value !== null ? (value as Schema) : {};
}

function mergeAllOf(schema: Schema, walk: Walk): Schema {
  const { allOf, ...rest } = schema;
  const merged: Schema = { ...rest };
  for (const part of allOf as unknown[]) {
    let sub = asSchema(part);
    if (typeof sub.$ref === 'string') sub = resolveRef(sub.$ref, walk.root);
    if (Array.isArray(sub.allOf)) sub = mergeAllOf(sub, walk);
    for (const [key, value] of Object.entries(sub)) {
      if (key === 'properties') {
        merged.properties = { ...asSchema(merged.properties), ...asSchema(value) };
      } else if (key === 'required') {
        merged.required = [...((merged.required as string[]) ?? []), ...(value as string[])];
      } else if (!(key in merged)) {
        merged[key] = value;
      }
    }
  }
  return merged;
}

function sample(schemaIn: Schema, walk: Walk, hint?: string): unknown {
  let schema = schemaIn;
  if (typeof schema.$ref === 'string') {
    const { $ref, ...siblings } = schema;
    schema = { ...resolveRef($ref, walk.root), ...siblings };
    walk = { ...walk, depth: walk.depth + 1 };
  }
  if (Array.isArray(schema.allOf)) schema = mergeAllOf(schema, walk);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return walk.random.pick(schema.enum);
  const branches = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (Array.isArray(branches) && branches.length > 0) {
    const { anyOf: _a, oneOf: _o, ...base } = schema;
    // Past the depth limit prefer a branch that does not recurse, so sampling terminates.
    const pool =
      walk.depth >= walk.maxDepth
        ? branches.filter((b) => !JSON.stringify(b).includes('$ref'))
        : branches;
    const branch = asSchema(walk.random.pick(pool.length > 0 ? pool : branches));
    return sample({ ...base, ...branch }, walk, hint);
  }
  switch (pickType(schema, walk)) {
    case 'object':
      return sampleObject(schema, walk);
    case 'array':
      return sampleArray(schema, walk, hint);
    case 'integer':
      return sampleNumber(schema, walk.random, true);
    case 'number':
      return sampleNumber(schema, walk.random, false);
    case 'boolean':
      return walk.random.next() < 0.5;
    case 'null':
      return null;
    default:
      return sampleString(schema, walk.random, hint);
  }
}

function pickType(schema: Schema, walk: Walk): string {
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type) && type.length > 0) {
    const nonNull = type.filter((t) => t !== 'null') as string[];
    // Mostly fill the field; null now and then (and always past the depth limit).
    if (type.includes('null') && (nonNull.length === 0 || walk.depth >= walk.maxDepth)) {
      return 'null';
    }
    if (type.includes('null') && walk.random.next() < 0.1) return 'null';
    return walk.random.pick(nonNull);
  }
  if (schema.properties || schema.additionalProperties !== undefined) return 'object';
  if (schema.items || schema.prefixItems) return 'array';
  if (schema.minimum !== undefined || schema.maximum !== undefined) return 'number';
  return 'string';
}

function sampleObject(schema: Schema, walk: Walk): Record<string, unknown> {
  const properties = asSchema(schema.properties);
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const deep = walk.depth >= walk.maxDepth;
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(properties)) {
    // Optional fields are usually present, so replies look complete but still vary.
    if (!required.has(key) && (deep || walk.random.next() < 0.2)) continue;
    out[key] = sample(asSchema(sub), walk, key);
  }
  for (const key of required) {
    if (!(key in out)) out[key] = sample(asSchema(properties[key]), walk, key);
  }
  const extra = schema.additionalProperties;
  const minProps = typeof schema.minProperties === 'number' ? schema.minProperties : 0;
  if (extra !== false && Object.keys(properties).length === 0 && extra !== undefined) {
    const count = Math.max(minProps, 1 + walk.random.int(3));
    for (let i = 0; Object.keys(out).length < count && i < count * 4; i++) {
      const key = walk.random.pick(NOUNS);
      out[key] = sample(asSchema(extra), walk, key);
    }
  }
  return out;
}

function sampleArray(schema: Schema, walk: Walk, hint?: string): unknown[] {
  const prefix = Array.isArray(schema.prefixItems)
    ? schema.prefixItems
    : Array.isArray(schema.items)
      ? schema.items
      : [];
  const itemSchema = Array.isArray(schema.items) ? schema.additionalItems : schema.items;
  const deep = walk.depth >= walk.maxDepth;
  // Past the depth limit make arrays as short as allowed, so recursive schemas terminate.
  const min = typeof schema.minItems === 'number' ? schema.minItems : deep ? 0 : 1;
  let max = typeof schema.maxItems === 'number' ? schema.maxItems : min + 3;
  if (itemSchema === false) max = Math.min(max, prefix.length);
  const length = deep ? Math.min(min, max) : min + walk.random.int(Math.max(0, max - min) + 1);
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (let i = 0, tries = 0; out.length < length && tries < length * 10; tries++) {
    const sub = asSchema(i < prefix.length ? prefix[i] : itemSchema);
    const value = sample(sub, walk, hint);
    if (schema.uniqueItems === true) {
      const key = JSON.stringify(value);
      if (seen.has(key)) continue;
      seen.add(key);
    }
    out.push(value);
    i++;
  }
  return out;
}

function sampleNumber(schema: Schema, random: RandomSource, integer: boolean): number {
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  // Draft 4 writes exclusive bounds as booleans beside minimum/maximum; later drafts as numbers.
  const exMin =
    num(schema.exclusiveMinimum) ??
    (schema.exclusiveMinimum === true ? num(schema.minimum) : undefined);
  const exMax =
    num(schema.exclusiveMaximum) ??
    (schema.exclusiveMaximum === true ? num(schema.maximum) : undefined);
  const step = integer ? 1 : 0.01;
  let lo = exMin !== undefined ? exMin + step : (num(schema.minimum) ?? undefined);
  let hi = exMax !== undefined ? exMax - step : (num(schema.maximum) ?? undefined);
  if (lo === undefined && hi === undefined) [lo, hi] = [0, 100];
  else if (lo === undefined) lo = (hi as number) - 100;
  else if (hi === undefined) hi = lo + 100;
  let [low, high] = [lo as number, hi as number];
  if (integer) [low, high] = [Math.ceil(low), Math.floor(high)];
  if (high < low) high = low;
  const multipleOf = num(schema.multipleOf);
  if (multipleOf && multipleOf > 0) {
    const first = Math.ceil(low / multipleOf);
    const last = Math.floor(high / multipleOf);
    const k = last >= first ? first + random.int(last - first + 1) : first;
    return Number((k * multipleOf).toPrecision(12));
  }
  if (integer) return low + random.int(high - low + 1);
  const value = Math.round((low + random.next() * (high - low)) * 100) / 100;
  return Math.min(high, Math.max(low, value));
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function formatted(format: string, r: RandomSource): string | undefined {
  const date = () => `${1990 + r.int(40)}-${pad(1 + r.int(12))}-${pad(1 + r.int(28))}`;
  const time = () => `${pad(r.int(24))}:${pad(r.int(60))}:${pad(r.int(60))}`;
  switch (format) {
    case 'date':
      return date();
    case 'date-time':
      return `${date()}T${time()}Z`;
    case 'time':
      return `${time()}Z`;
    case 'email':
    case 'idn-email':
      return `${r.pick(NOUNS)}.${r.pick(ADJECTIVES)}${r.int(100)}@example.com`;
    case 'uri':
    case 'url':
    case 'iri':
      return `https://example.com/${r.pick(NOUNS)}/${r.pick(ADJECTIVES)}-${r.pick(NOUNS)}`;
    case 'hostname':
      return `${r.pick(NOUNS)}.example.org`;
    case 'ipv4':
      return Array.from({ length: 4 }, () => r.int(256)).join('.');
    case 'uuid': {
      const hex = Array.from({ length: 32 }, () => r.int(16).toString(16));
      hex[12] = '4';
      hex[16] = (8 + r.int(4)).toString(16);
      const h = hex.join('');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    default:
      return undefined;
  }
}

function textFor(hint: string, r: RandomSource): string {
  const name = hint.toLowerCase();
  if (/question|query|prompt|ask/.test(name)) return question(r);
  if (/title|name|label|topic|category|heading/.test(name)) {
    return `${capitalize(r.pick(ADJECTIVES))} ${capitalize(r.pick(NOUNS))}`;
  }
  if (/description|text|content|summary|passage|document|context|explanation|reason/.test(name)) {
    return plausibleText(r, 1 + r.int(2));
  }
  return statement(r);
}

function sampleString(schema: Schema, r: RandomSource, hint?: string): string {
  const byFormat = typeof schema.format === 'string' ? formatted(schema.format, r) : undefined;
  let text = byFormat ?? textFor(hint ?? '', r);
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Number.POSITIVE_INFINITY;
  while (text.length < min) text += ' ' + statement(r);
  if (text.length > max) {
    // Cut at a word boundary when one is close, else mid-word.
    const cut = text.slice(0, max);
    const space = cut.lastIndexOf(' ');
    text = space >= Math.max(min, 1) ? cut.slice(0, space) : cut;
  }
  return text;
}
