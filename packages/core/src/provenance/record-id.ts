import { createHash } from 'node:crypto';
import { canonicalJson } from '../text/canonical-json.js';

/**
 * The stable id of a record: the first 16 hex digits of the sha256 of its canonical JSON. It
 * depends only on the record's content, so it survives reordering, postprocessing and resume,
 * and any reader (`dgt view`) can compute it from a `data.jsonl` line without a sidecar.
 * Identical records share an id.
 */
export function recordId(record: unknown): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex').slice(0, 16);
}
