import { constants, createReadStream, fstat, open } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { DgtError } from '../errors/dgt-error.js';

/** How {@link readLines} reads a file. */
export type LineReadOptions = {
  /**
   * The file is a user's input (not one of DGT's own files): its bytes must be valid UTF-8, and
   * each problem is an error naming the file and line rather than something to repair.
   */
  userInput?: boolean;
  /** Ends the read (a blocked one too) with an `INTERRUPTED` error. */
  signal?: AbortSignal;
  /** Longest line accepted, in bytes (default {@link MAX_LINE_BYTES}). */
  maxLineBytes?: number;
};

/** One line of a file: its text, its 1-based number, and whether a newline ended it. */
export type Line = { text: string; number: number; terminated: boolean };

/** Lines longer than this (64 MiB) are refused: V8 strings top out near 512 MiB, JSON.parse sooner. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Streams the lines of a file as UTF-8 text (a BOM on the first line is dropped; `\r\n` ends a
 * line like `\n`). Over-long lines are a DgtError naming `file:line` instead of a crash of the
 * process; so is invalid UTF-8 in a user's input (DGT's own files decode with U+FFFD, as
 * before). A named pipe is read without blocking a thread, so the signal can end the wait.
 */
export async function* readLines(
  path: string,
  options: LineReadOptions = {},
): AsyncGenerator<Line> {
  const { signal, userInput = false } = options;
  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  const stream = await openStream(path);
  const interrupted = () =>
    new DgtError('INTERRUPTED', `Reading ${path} was interrupted; nothing was lost.`);
  const onAbort = () => stream.destroy(interrupted());
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const decoder = new TextDecoder('utf-8', { fatal: userInput });
  let parts: Buffer[] = [];
  let partBytes = 0;
  let number = 0;
  const finish = (bytes: Buffer, terminated: boolean): Line => {
    number++;
    let text: string;
    try {
      text = decoder.decode(bytes.at(-1) === 0x0d ? bytes.subarray(0, -1) : bytes);
    } catch {
      throw new DgtError(
        'DATA_FILE',
        `${path}:${number}: not valid UTF-8 text (column ${invalidUtf8Column(bytes)}). Save the file as UTF-8, or fix that line.`,
      );
    }
    if (number === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text, number, terminated };
  };
  const tooLong = () =>
    new DgtError(
      'DATA_FILE',
      `${path}:${number + 1}: line longer than ${Math.round(maxLineBytes / 1_048_576)} MB; a record must fit on one line of at most that size. Is this the right file?`,
    );
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (;;) {
        const end = chunk.indexOf(0x0a, start);
        if (end === -1) break;
        if (partBytes + end - start > maxLineBytes) throw tooLong();
        const bytes =
          partBytes === 0
            ? chunk.subarray(start, end)
            : Buffer.concat([...parts, chunk.subarray(start, end)]);
        parts = [];
        partBytes = 0;
        yield finish(bytes, true);
        start = end + 1;
      }
      if (start < chunk.length) {
        partBytes += chunk.length - start;
        if (partBytes > maxLineBytes) throw tooLong();
        parts.push(chunk.subarray(start));
      }
    }
    if (partBytes > 0) yield finish(Buffer.concat(parts), false);
  } catch (error) {
    if (signal?.aborted) throw interrupted();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stream.destroy();
  }
}

/** A readable stream of the file's bytes; a FIFO opens without waiting for a writer. */
async function openStream(path: string): Promise<Readable> {
  const fd = await promisify(open)(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const info = await promisify(fstat)(fd);
  // A socket over a pipe's descriptor reads through the event loop, not a blocked thread (and
  // owns the descriptor from here on).
  if (info.isFIFO()) return new Socket({ fd, readable: true, writable: false });
  return createReadStream('', { fd, highWaterMark: 1024 * 1024 });
}

/** The 1-based character column of the first invalid UTF-8 sequence, for messages. */
function invalidUtf8Column(bytes: Buffer): number {
  return bytes.toString('utf8').indexOf('\uFFFD') + 1;
}
