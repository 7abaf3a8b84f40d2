import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal records give equal text. */
function canonical(value: unknown): string {
  // One string, no intermediate arrays: it runs for every record written.
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += `${i > 0 ? ',' : ''}${canonical(value[i])}`;
    return `${out}]`;
  }
  // Default sort order is by UTF-16 code units, as `<` compares strings.
  const keys = Object.keys(value).sort();
  let out = '{';
  for (const key of keys) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonical(member)}`;
  }
  return `${out}}`;
}

/**
 * The stable id of a record: the first 16 hex digits of the sha256 of its canonical JSON. It
 * depends only on the record's content, so it survives reordering, postprocessing and resume,
 * and any reader (`dgt view`) can compute it from a `data.jsonl` line without a sidecar.
 * Identical records share an id.
 */
export function recordId(record: unknown): string {
  return createHash('sha256').update(canonical(record)).digest('hex').slice(0, 16);
}
