import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SegmentLog } from './segment-log.js';

// Open file descriptors of this process (Linux); a FileHandle left open keeps one.
const openFiles = () => readdirSync('/proc/self/fd').length;

describe('SegmentLog', () => {
  it.runIf(existsSync('/proc/self/fd'))(
    'opens its file once for concurrent appends, and close() leaves nothing open',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'dgt-segments-'));
      const log = new SegmentLog(path.join(dir, 'blocks', 'dedup.index.jsonl'));
      const before = openFiles();
      // Two calls of one dedup block (two attempts in flight) append at the same moment.
      await Promise.all(
        Array.from({ length: 8 }, (_, i) => log.append({ batch: `b${i}`, items: [i] })),
      );
      expect(openFiles()).toBe(before + 1);
      await log.close();
      expect(openFiles()).toBe(before);
      expect((await readFile(log.path, 'utf8')).trim().split('\n')).toHaveLength(8);
      expect((await log.load()).map((s) => s.batch).sort()).toEqual(
        Array.from({ length: 8 }, (_, i) => `b${i}`),
      );
    },
  );
});
