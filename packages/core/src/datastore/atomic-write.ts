import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { diskFullError } from './disk-full.js';

/** A piece of a file: text (written as UTF-8) or bytes. */
export type FileChunk = string | Uint8Array;

/**
 * What a writer accepts: one string, or chunks produced one at a time. Bytes chunks let binary
 * formats (Parquet) share the atomic write with the text formats.
 */
export type FileContent = string | Iterable<FileChunk> | AsyncIterable<FileChunk>;

// Buffer small chunks so a store of many short records costs few write calls.
const FLUSH_BYTES = 64 * 1024;

/**
 * Flushes a folder's entry list, so a file just created or renamed in it survives a crash.
 * Not every platform can open a folder for syncing (Windows cannot); there the rename is as
 * durable as the OS makes it, and this is a no-op.
 */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort: see above.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Replaces `path` with `content` so that readers see the old file or the new one, never a mix:
 * the text goes to a temporary file in the same folder, is flushed to disk, then renamed over
 * `path`. Creates missing parent folders. On failure the temporary file is removed and `path`
 * is untouched.
 */
export async function writeFileAtomic(path: string, content: FileContent): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'w').catch((error: unknown) => {
    throw diskFullError(error, path);
  });
  try {
    if (typeof content === 'string') {
      await handle.writeFile(content, 'utf8');
    } else {
      let pending = '';
      for await (const chunk of content) {
        if (typeof chunk !== 'string') {
          // Bytes are written as they come (binary formats yield large chunks), after any text.
          if (pending) await handle.writeFile(pending, 'utf8');
          pending = '';
          await handle.writeFile(chunk);
          continue;
        }
        pending += chunk;
        if (pending.length >= FLUSH_BYTES) {
          await handle.writeFile(pending, 'utf8');
          pending = '';
        }
      }
      if (pending) await handle.writeFile(pending, 'utf8');
    }
    await handle.sync();
    await handle.close();
    await rename(temp, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw diskFullError(error, path);
  }
  await syncDirectory(dir);
}
