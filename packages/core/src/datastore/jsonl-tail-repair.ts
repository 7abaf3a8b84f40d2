import { type FileHandle, open } from 'node:fs/promises';
import { isRecordObject } from './jsonl-reader.js';

/**
 * What {@link repairJsonlTail} found at the end of the file: `clean` (empty, or ends with a
 * newline), `terminated` (a complete record lacked its newline, which was added), `truncated`
 * (a torn record was cut away), or `missing` (no file).
 */
export type JsonlTailRepair = 'clean' | 'terminated' | 'truncated' | 'missing';

const SCAN_BYTES = 64 * 1024;

/**
 * Makes a JSON Lines file safe to append to. A crash during an append can leave a torn last
 * line (part of a record, no newline); appending after it would glue the next record onto it
 * and corrupt both. If the unterminated last line is a complete JSON object, a newline is
 * added; otherwise the line is cut off, leaving the file ending on its last complete record.
 * Readers already skip such a line, so no record they could see is lost.
 */
export async function repairJsonlTail(path: string): Promise<JsonlTailRepair> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return 'clean';
    const last = await readAt(handle, size - 1, 1);
    if (last[0] === 0x0a) return 'clean';
    const lineStart = (await lastNewline(handle, size)) + 1;
    const tail = (await readAt(handle, lineStart, size - lineStart)).toString('utf8').trim();
    if (tail !== '' && parsesAsRecord(tail)) {
      await handle.write('\n', size, 'utf8');
      await handle.sync();
      return 'terminated';
    }
    await handle.truncate(lineStart);
    await handle.sync();
    return 'truncated';
  } finally {
    await handle.close();
  }
}

function parsesAsRecord(text: string): boolean {
  try {
    return isRecordObject(JSON.parse(text));
  } catch {
    return false;
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

// Offset of the last '\n' before `end`, or -1; scans backwards so huge files cost one chunk.
async function lastNewline(handle: FileHandle, end: number): Promise<number> {
  let chunkEnd = end;
  while (chunkEnd > 0) {
    const chunkStart = Math.max(0, chunkEnd - SCAN_BYTES);
    const chunk = await readAt(handle, chunkStart, chunkEnd - chunkStart);
    const index = chunk.lastIndexOf(0x0a);
    if (index >= 0) return chunkStart + index;
    chunkEnd = chunkStart;
  }
  return -1;
}
