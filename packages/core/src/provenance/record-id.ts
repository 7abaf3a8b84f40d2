import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal records give equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
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
