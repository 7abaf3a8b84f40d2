import { type FileHandle, open, stat } from 'node:fs/promises';

const CHUNK = 1 << 20;

/**
 * Byte offsets of the lines of a JSON Lines file, so any page of a million-line file is read
 * with one positioned read instead of a scan. The index is built by streaming the file once and
 * then only extended as the file grows (a run appending); a file that shrank or was replaced
 * (a run rewrote it atomically) is indexed again. Memory: 8 bytes per line.
 */
export class LineIndex {
  private starts = new Float64Array(1024);
  private count = 0;
  /** Bytes indexed so far (up to the end of the last complete line). */
  private indexed = 0;
  private identity = '';
  private pending: Promise<void> | undefined;

  constructor(readonly file: string) {}

  /** Lines in the file now (complete lines only: a line being written is not counted yet). */
  async lines(): Promise<number> {
    await this.refresh();
    return this.count;
  }

  /** Brings the index up to date with the file (concurrent callers share one refresh). */
  refresh(): Promise<void> {
    this.pending ??= this.update().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async update(): Promise<void> {
    const info = await stat(this.file).catch(() => undefined);
    if (!info) {
      this.reset('');
      return;
    }
    const identity = `${info.ino}:${info.dev}`;
    if (identity !== this.identity || info.size < this.indexed) this.reset(identity);
    if (info.size === this.indexed) return;
    const handle = await open(this.file, 'r');
    try {
      await this.scan(handle, info.size);
    } finally {
      await handle.close();
    }
  }

  private reset(identity: string): void {
    this.identity = identity;
    this.count = 0;
    this.indexed = 0;
  }

  private push(offset: number): void {
    if (this.count === this.starts.length) {
      const bigger = new Float64Array(this.starts.length * 2);
      bigger.set(this.starts);
      this.starts = bigger;
    }
    this.starts[this.count++] = offset;
  }

  private async scan(handle: FileHandle, size: number): Promise<void> {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let position = this.indexed;
    let lineStart = this.indexed;
    while (position < size) {
      const { bytesRead } = await handle.read(
        buffer,
        0,
        Math.min(CHUNK, size - position),
        position,
      );
      if (bytesRead === 0) break;
      let at = buffer.indexOf(10, 0);
      while (at !== -1 && at < bytesRead) {
        const end = position + at;
        if (end > lineStart) this.push(lineStart);
        lineStart = end + 1;
        at = buffer.indexOf(10, at + 1);
      }
      position += bytesRead;
    }
    // A last line without its newline is still being written: index it next time.
    this.indexed = lineStart;
  }

  /** The raw text of lines `[from, to)` (clamped), read with one positioned read. */
  async read(from: number, to: number): Promise<string[]> {
    await this.refresh();
    const first = Math.max(0, from);
    const last = Math.min(this.count, to);
    if (first >= last) return [];
    const start = this.starts[first]!;
    const end = last < this.count ? this.starts[last]! : this.indexed;
    const handle = await open(this.file, 'r');
    try {
      const buffer = Buffer.allocUnsafe(end - start);
      await handle.read(buffer, 0, end - start, start);
      return buffer
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== '')
        .slice(0, last - first);
    } finally {
      await handle.close();
    }
  }
}
