import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DgtError } from '@dgt/core';
import type BetterSqlite3 from 'better-sqlite3';

/** One cached answer: what the provider returned, and what it was for. */
export type CacheEntry = { provider: string; model: string; value: unknown };

/**
 * The persistent request cache. In a run without a queue, one SQLite file (`lm-cache.sqlite`) in WAL mode, shared by every
 * block of the process that uses the same folder, and safe for several processes at once (WAL
 * readers never block, writers wait on a busy timeout). Writes are grouped into one transaction
 * per event-loop turn so a fast run does not pay a commit per request. With a queue
 * (`--queue`), entries live in the run's Redis instead, shared by every process (see
 * `openRedisCache`).
 */
export type RequestCache = {
  /** Where the entries live: the SQLite file, or the Redis URL without its password. */
  readonly path: string;
  /** The cached value, or `undefined`; a store across the network answers asynchronously. */
  get(key: string): unknown | Promise<unknown>;
  put(key: string, entry: CacheEntry): void;
  /** Writes pending entries now. */
  flush(): void;
  /** Drops this user's handle; the file closes when the last user leaves. */
  release(): void;
};

/** The name of the cache file inside the cache folder. */
export const CACHE_FILE_NAME = 'lm-cache.sqlite';

/** The cache folder: `DGT_CACHE_DIR`, else `$XDG_CACHE_HOME/dgt`, else `~/.cache/dgt`. */
export function resolveCacheDir(env: Record<string, string | undefined>): string {
  if (env.DGT_CACHE_DIR) return resolve(env.DGT_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'dgt');
  return join(env.HOME || homedir(), '.cache', 'dgt');
}

/** The cache key of a canonical request string: a SHA-256, so keys stay short and opaque. */
export function cacheKey(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex');
}

type Shared = { cache: RequestCache; users: number };
const open = new Map<string, Shared>();

let driver: typeof BetterSqlite3 | undefined;

/**
 * Loads better-sqlite3 (an optional dependency), or throws the MISSING_DEPENDENCY error every
 * user of the cache reports. Shared with the cache maintenance commands, which pass `forRuns:
 * false` (turning the cache off is no advice for them).
 */
export async function loadDriver(forRuns = true): Promise<typeof BetterSqlite3> {
  if (driver) return driver;
  try {
    driver = (await import('better-sqlite3')).default;
    return driver;
  } catch (error) {
    throw new DgtError(
      'MISSING_DEPENDENCY',
      `The LM request cache needs the native module better-sqlite3, which failed to load (${(error as Error).message}). Reinstall it (pnpm rebuild better-sqlite3)${forRuns ? ', or set "cache: off" on the LM blocks (or run with --no-cache)' : ''}.`,
      { cause: error },
    );
  }
}

function isBusy(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return e?.code === 'SQLITE_BUSY' || /database is locked/.test(String(e?.message));
}

/**
 * Opens the cache file in WAL mode and creates its table. Switching a file to WAL needs a lock
 * that SQLite does not wait for (the busy timeout does not apply), so two runs starting together
 * on one cache can get "database is locked": the open is retried for up to 30 s.
 */
async function openDatabase(
  Database: typeof BetterSqlite3,
  path: string,
): Promise<BetterSqlite3.Database> {
  const giveUpAt = Date.now() + 30_000;
  for (let attempt = 1; ; attempt++) {
    let db: BetterSqlite3.Database | undefined;
    try {
      db = new Database(path, { timeout: 30_000 });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(
        `CREATE TABLE IF NOT EXISTS lm_responses (
           key TEXT PRIMARY KEY,
           provider TEXT NOT NULL,
           model TEXT NOT NULL,
           value TEXT NOT NULL,
           created_at INTEGER NOT NULL
         )`,
      );
      return db;
    } catch (error) {
      db?.close();
      if (!isBusy(error) || Date.now() > giveUpAt) throw error;
      // Jittered, growing waits, so runs that collided do not collide again.
      await new Promise((r) => setTimeout(r, Math.random() * 20 * Math.min(attempt, 10)));
    }
  }
}

/** Opens (or joins) the request cache in `dir`. */
export async function openRequestCache(dir: string): Promise<RequestCache> {
  const path = join(dir, CACHE_FILE_NAME);
  const existing = open.get(path);
  if (existing) {
    existing.users++;
    return existing.cache;
  }
  const Database = await loadDriver();
  let db: BetterSqlite3.Database;
  try {
    mkdirSync(dir, { recursive: true });
    db = await openDatabase(Database, path);
  } catch (error) {
    throw new DgtError(
      'OUTPUT_PATH',
      `Cannot open the LM request cache at ${path}: ${(error as Error).message}. Set DGT_CACHE_DIR to a writable folder, or run with --no-cache.`,
      { cause: error },
    );
  }
  // Another block may have opened it while this one waited.
  const raced = open.get(path);
  if (raced) {
    db.close();
    raced.users++;
    return raced.cache;
  }
  const select = db.prepare<[string], { value: string }>(
    'SELECT value FROM lm_responses WHERE key = ?',
  );
  const upsert = db.prepare(
    'INSERT OR REPLACE INTO lm_responses (key, provider, model, value, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  let pending = new Map<string, CacheEntry>();
  let scheduled = false;
  const writeAll = db.transaction((entries: Map<string, CacheEntry>) => {
    const now = Date.now();
    for (const [key, e] of entries)
      upsert.run(key, e.provider, e.model, JSON.stringify(e.value), now);
  });

  const cache: RequestCache = {
    path,
    get(key) {
      const waiting = pending.get(key);
      if (waiting) return waiting.value;
      try {
        const row = select.get(key);
        return row ? JSON.parse(row.value) : undefined;
      } catch (error) {
        // A damaged page (SQLITE_CORRUPT) or entry: name the file, so the user knows what to
        // remove, rather than failing requests with a bare "database disk image is malformed".
        throw new DgtError(
          'OUTPUT_PATH',
          `The LM request cache ${path} is damaged (${(error as Error).message}). Delete that file (its answers are only a cache), or run with --no-cache.`,
          { cause: error },
        );
      }
    },
    put(key, entry) {
      pending.set(key, entry);
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        // A cache that cannot be written (disk full, a lock held past the timeout) only costs
        // future hits; the run goes on.
        try {
          cache.flush();
        } catch {
          pending.clear();
        }
      });
    },
    flush() {
      scheduled = false;
      if (pending.size === 0 || !db.open) return;
      const batch = pending;
      pending = new Map();
      writeAll(batch);
    },
    release() {
      const shared = open.get(path);
      if (!shared || --shared.users > 0) return;
      open.delete(path);
      cache.flush();
      db.close();
    },
  };
  open.set(path, { cache, users: 1 });
  return cache;
}
