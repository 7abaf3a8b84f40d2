import { type FileHandle, mkdir, open, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One call's additions to a task's dedup index: the call's fingerprint and its new entries. */
export type Segment = { batch: string; items: unknown };

/**
 * An append-only JSON Lines file of index segments, one line per block call. Appends are flushed
 * to disk before they resolve; a torn last line left by a crash is cut away on load.
 */
export class SegmentLog {
  private handle: FileHandle | undefined;

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
    if (!this.handle) {
      await mkdir(dirname(this.path), { recursive: true });
      this.handle = await open(this.path, 'a');
    }
    await this.handle.writeFile(`${JSON.stringify(segment)}\n`, 'utf8');
    await this.handle.datasync();
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}
