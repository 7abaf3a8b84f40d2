import type { LoadedTask } from '../config/load-tasks.js';
import type { StoredRecord } from '../contracts/v1/datastore.js';
import { DgtError } from '../errors/dgt-error.js';
import { nearMisses } from '../runner/unknown-keys.js';

/**
 * A task's `dataloader:` (DiGiT's spelling) as the runner applies it: whether a generation task's
 * seeds are cycled (`loop_over`, default true) and the field mapping (`fields`) applied to each
 * seed or input record as it is read.
 */
export type TaskDataloader = {
  /** Seeds start over after the last one; `false`: each seed is handed to the builder once. */
  loopSeeds: boolean;
  /** `source → destination` field paths (dot notation); `"*": "*"` keeps every other field. */
  fields?: Record<string, string>;
};

/** The dataloader types of DiGiT; both read records in order, which is what DGT does. */
const TYPES = ['default', 'simple'];
const KEYS = ['type', 'loop_over', 'fields'];

/**
 * Reads a task's `dataloader:` mapping. What DGT honours: `loop_over` for a generation task's
 * seeds and `fields` for seeds and transformation inputs. What nothing would use is warned with
 * its file and line: another `type`, unknown keys, `loop_over: true` on a transformation (it
 * makes one pass over its data).
 */
export function taskDataloader(
  task: LoadedTask,
  kind: 'generation' | 'transformation',
): { dataloader: TaskDataloader; warnings: string[] } {
  const raw = (task.config as { dataloader?: unknown }).dataloader;
  const dataloader: TaskDataloader = { loopSeeds: true };
  const warnings: string[] = [];
  if (raw === undefined || raw === null) return { dataloader, warnings };
  const config = raw as Record<string, unknown>;
  const name = `task "${task.config.task_name}" dataloader`;
  for (const key of Object.keys(config)) {
    if (KEYS.includes(key)) continue;
    const near = nearMisses(key, KEYS);
    const hint = near.length ? ` — did you mean "${near[0]}"?` : ` (DGT reads ${KEYS.join(', ')}).`;
    warnings.push(
      `${task.where(['dataloader', key])} ${name}: unknown key "${key}"${hint} It is ignored.`,
    );
  }
  if (typeof config.type === 'string' && !TYPES.includes(config.type)) {
    warnings.push(
      `${task.where(['dataloader', 'type'])} ${name}: type "${config.type}" is not one DGT has (${TYPES.join(', ')}); records are read in order as with "default".`,
    );
  }
  if (config.loop_over !== undefined) {
    if (kind === 'generation') dataloader.loopSeeds = config.loop_over !== false;
    else if (config.loop_over === true) {
      warnings.push(
        `${task.where(['dataloader', 'loop_over'])} ${name}: loop_over: true is ignored for a transformation task, which reads its data once.`,
      );
    }
  }
  if (config.fields !== undefined && config.fields !== null) {
    const fields = config.fields;
    const valid =
      typeof fields === 'object' &&
      !Array.isArray(fields) &&
      Object.values(fields).every((to) => typeof to === 'string' && to !== '');
    if (!valid) {
      throw new DgtError(
        'INVALID_TASK',
        `${task.where(['dataloader', 'fields'])} ${name}: fields must map field names to new names, e.g. {question: instruction}; "*": "*" keeps the other fields.`,
      );
    }
    dataloader.fields = fields as Record<string, string>;
  }
  return { dataloader, warnings };
}

/**
 * A record as `fields` maps it (DiGiT semantics): without `"*": "*"` only the mapped fields are
 * kept, each under its new name; with it, every field is kept and the mapped ones are added under
 * their new names. Paths use dot notation on both sides (`meta.language: language`). A source
 * field the record lacks is an error naming `what` (the record), never a silently missing field.
 */
export function remapFields(
  record: StoredRecord,
  fields: Record<string, string>,
  what: string,
): StoredRecord {
  const entries = Object.entries(fields).filter(([from]) => from !== '*');
  if (entries.length === 0) return record;
  const out: StoredRecord = fields['*'] === '*' ? { ...record } : {};
  for (const [from, to] of entries) {
    const value = getPath(record, from);
    if (value === undefined) {
      throw new DgtError(
        'DATA_FILE',
        `${what} has no field "${from}", which the task's dataloader fields map to "${to}". Add the field to the data or fix the mapping.`,
      );
    }
    setPath(out, to, value);
  }
  return out;
}

function getPath(record: StoredRecord, path: string): unknown {
  if (path in record) return record[path];
  let value: unknown = record;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function setPath(record: StoredRecord, path: string, value: unknown): void {
  const parts = path.split('.');
  let target: Record<string, unknown> = record;
  for (const part of parts.slice(0, -1)) {
    const next = target[part];
    // Copied, not written into: with "*": "*" the nested object is still the source record's.
    target[part] =
      typeof next === 'object' && next !== null && !Array.isArray(next) ? { ...next } : {};
    target = target[part] as Record<string, unknown>;
  }
  target[parts.at(-1)!] = value;
}
