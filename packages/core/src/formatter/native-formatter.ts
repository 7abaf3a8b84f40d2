import { z } from 'zod';
import { defineFormatter } from '../contracts/define.js';
import type { StoredRecord } from '../contracts/v1/datastore.js';
import type { FormatterImplementationV1 } from '../contracts/v1/formatter.js';
import { compileTemplate } from '../template/prompt-template.js';

/**
 * Config of the `native` formatter. The output fields come from `format` when it is set, else
 * from every key besides `type` (DiGiT's shape); without either, records pass through unchanged.
 */
export const nativeFormatterConfigSchema = z.looseObject({
  type: z.string().optional(),
  /**
   * Output field → template (or a nested list/mapping of templates). A single template string
   * (DiGiT allows one) gives records of the form `{text: …}`.
   */
  format: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
});

/** A validated `native` formatter config. */
export type NativeFormatterConfig = z.infer<typeof nativeFormatterConfigSchema>;

type FieldFormatter = (record: StoredRecord) => unknown;

// `{{ answer }}` or `{{ meta.source }}` alone: the value is copied, keeping its JSON type.
const SINGLE_VARIABLE = /^\{\{-?\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*-?\}\}$/;

function lookup(record: StoredRecord, path: string): unknown {
  let value: unknown = record;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function compileField(spec: unknown, where: string): FieldFormatter {
  if (typeof spec === 'string') {
    const variable = SINGLE_VARIABLE.exec(spec.trim())?.[1];
    const template = compileTemplate(spec, `formatter field '${where}'`);
    if (variable) {
      return (record) => {
        const value = lookup(record, variable);
        return value === undefined ? template.render(record) : value;
      };
    }
    return (record) => template.render(record);
  }
  if (Array.isArray(spec)) {
    const items = spec.map((item, index) => compileField(item, `${where}.${index}`));
    return (record) => items.map((item) => item(record));
  }
  if (typeof spec === 'object' && spec !== null) {
    const fields = compileFields(spec as Record<string, unknown>, `${where}.`);
    return (record) => applyFields(fields, record);
  }
  return () => spec;
}

function compileFields(mapping: Record<string, unknown>, prefix = ''): [string, FieldFormatter][] {
  return Object.entries(mapping).map(([key, spec]) => [key, compileField(spec, prefix + key)]);
}

function applyFields(fields: [string, FieldFormatter][], record: StoredRecord): StoredRecord {
  return Object.fromEntries(fields.map(([key, field]) => [key, field(record)]));
}

/**
 * Creates a `native` formatter from its config: each output field is a Jinja template rendered
 * with the record's fields (`"Q: {{ question }}"`). A template that is only `{{ field }}`
 * copies that field as it is (an array stays an array); nested lists and mappings of templates
 * build nested values (chat `messages`); numbers, booleans and null are kept as literals.
 * Templates are compiled here, so a syntax error surfaces before any record is formatted.
 *
 * @example
 * const formatter = createNativeFormatter({
 *   format: { prompt: 'Q: {{ question }}', completion: '{{ answer }}' },
 * });
 * formatter.apply({ question: 'Why?', answer: 'Because.' });
 * // { prompt: 'Q: Why?', completion: 'Because.' }
 */
export function createNativeFormatter(config: NativeFormatterConfig): FormatterImplementationV1 {
  const { type: _type, format, ...rest } = config;
  const mapping = typeof format === 'string' ? { text: format } : (format ?? rest);
  const fields = Object.keys(mapping).length > 0 ? compileFields(mapping) : undefined;
  return {
    apply: (record) => (fields ? applyFields(fields, record) : { ...record }),
  };
}

/** The `native` formatter type: records to training records through field templates. */
export const nativeFormatter = defineFormatter({
  description: 'Maps each record to output fields rendered from Jinja templates of its fields.',
  configSchema: nativeFormatterConfigSchema,
  create: createNativeFormatter,
});
