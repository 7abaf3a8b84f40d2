import { type FileHandle, mkdir, open, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One call's additions to a task's dedup index: the call's fingerprint and its new entries. */
export type Segment = { batch: string; items: unknown };

/**
 * An append-only JSON Lines file of index segments, one line per block call. Appends are flushed
 * to disk before they resolve; a torn last line left by a crash is cut away on load.
 */
export class SegmentLog {
  // The opening, shared: appends of concurrent calls must not each open the file (all but the
  // last handle would be lost, and only closed, with a warning, when garbage collected).
  private handle: Promise<FileHandle> | undefined;

  constructor(readonly path: string) {}

  /** Reads every complete segment, in write order. */
  async load(): Promise<Segment[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) await truncate(this.path, Buffer.byteLength(text.slice(0, end)));
    const segments: Segment[] = [];
    for (const line of text.slice(0, end).split('\n')) {
      if (line) segments.push(JSON.parse(line) as Segment);
    }
    return segments;
  }

  /** Appends one segment durably. */
  async append(segment: Segment): Promise<void> {
    this.handle ??= mkdir(dirname(this.path), { recursive: true }).then(() => open(this.path, 'a'));
    const handle = await this.handle;
    await handle.writeFile(`${JSON.stringify(segment)}\n`, 'utf8');
    await handle.datasync();
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await (await handle?.catch(() => undefined))?.close();
  }
}
