import path from 'node:path';
import type { StoredRecord } from '../contracts/v1/datastore.js';
import { createJsonlDatastore, type JsonlDatastore } from '../datastore/jsonl-datastore.js';
import type { ProvenanceEntry } from './provenance-entry.js';

/** File name of the provenance sidecar in a task's output folder. */
export const PROVENANCE_FILE = 'provenance.jsonl';

/** How a {@link ProvenanceLog.reconcile} changed the file. */
export type ReconcileResult = { rewritten: boolean; orphans: number; missing: number };

/**
 * A task's `provenance.jsonl`: one entry per line of `data.jsonl`, in the same order. Entries
 * are appended (durably) just before their records, so after a kill the file can only hold a
 * tail of entries whose records never landed; {@link reconcile} on resume drops those, and after
 * `data.jsonl` is rewritten (postprocessors, review) it realigns the file with the records kept.
 */
export class ProvenanceLog {
  private readonly store: JsonlDatastore;

  constructor(taskDir: string) {
    this.store = createJsonlDatastore(path.join(taskDir, PROVENANCE_FILE));
  }

  get location(): string {
    return this.store.location;
  }

  append(entries: readonly ProvenanceEntry[]): Promise<void> {
    return this.store.append(entries as unknown as StoredRecord[]);
  }

  clear(): Promise<void> {
    return this.store.clear();
  }

  close(): Promise<void> {
    return this.store.close();
  }

  /**
   * Makes the file describe exactly `ids` (the ids of `data.jsonl`'s records, in order). When it
   * already does, nothing is written. Otherwise entries are matched by id (the first unused entry
   * with that id; `renamed` maps a new id to the old one of a record edited in review, whose
   * entry is carried over with `edited_from`), orphans are dropped, and a record with no entry
   * gets `{ id, missing: true }`. The rewrite is atomic.
   */
  async reconcile(
    ids: Iterable<string> | AsyncIterable<string>,
    renamed: ReadonlyMap<string, string> = new Map(),
  ): Promise<ReconcileResult> {
    const wanted: string[] = [];
    for await (const id of ids) wanted.push(id);
    let aligned = renamed.size === 0;
    let count = 0;
    if (aligned) {
      for await (const entry of this.store.read()) {
        if (entry.id !== wanted[count]) {
          aligned = false;
          break;
        }
        count++;
      }
      if (aligned && count === wanted.length) return { rewritten: false, orphans: 0, missing: 0 };
    }
    const byId = new Map<string, StoredRecord[]>();
    let total = 0;
    for await (const entry of this.store.read()) {
      total++;
      const id = String(entry.id);
      const list = byId.get(id);
      if (list) list.push(entry);
      else byId.set(id, [entry]);
    }
    let missing = 0;
    let used = 0;
    const lines: StoredRecord[] = wanted.map((id) => {
      const own = byId.get(id)?.shift();
      if (own) {
        used++;
        return own;
      }
      const old = renamed.get(id);
      const carried = old !== undefined ? byId.get(old)?.shift() : undefined;
      if (carried) {
        used++;
        return { ...carried, id, edited_from: old };
      }
      missing++;
      return { id, missing: true };
    });
    await this.store.write(lines);
    return { rewritten: true, orphans: total - used, missing };
  }
}
