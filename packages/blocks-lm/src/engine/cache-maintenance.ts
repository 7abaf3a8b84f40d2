import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DgtError } from '@dgt/core';
import type BetterSqlite3 from 'better-sqlite3';
import { CACHE_FILE_NAME, loadDriver } from './cache.js';

/** Cached answers of one provider and model, as {@link describeRequestCache} reports them. */
export type CachedModelSummary = {
  provider: string;
  model: string;
  entries: number;
  /** The bytes of its keys and values, without SQLite's page and index overhead. */
  approxBytes: number;
  oldest: Date;
  newest: Date;
};

/** What the request cache in a folder holds and what it costs on disk. */
export type RequestCacheDescription = {
  /** The cache file (`lm-cache.sqlite`); its `-wal` and `-shm` companions sit beside it. */
  path: string;
  /** False when no run has written a cache in this folder yet. */
  exists: boolean;
  /** The size of each cache file present (the database, its `-wal` and `-shm`), by path. */
  files: { path: string; bytes: number }[];
  /** The sum of {@link RequestCacheDescription.files}. */
  bytesOnDisk: number;
  entries: number;
  oldest?: Date;
  newest?: Date;
  /** One summary per provider and model, the largest (by entries) first. */
  models: CachedModelSummary[];
};

/**
 * Which entries {@link clearRequestCache} removes: those matching every given field. `'all'`
 * removes everything; it has to be said, so a filter whose fields are all unset by mistake
 * cannot empty the cache.
 */
export type CacheClearFilter =
  | 'all'
  | {
      /** The provider the entry came from (`openai`, `ollama`, …), exactly. */
      provider?: string;
      /** The model id, exactly as the block config names it. */
      model?: string;
      /** Only entries written before this moment. */
      createdBefore?: Date;
    };

/** The outcome of {@link clearRequestCache}. */
export type CacheClearResult = {
  path: string;
  exists: boolean;
  removed: number;
  remaining: number;
  bytesBefore: number;
  bytesAfter: number;
  /** `bytesBefore - bytesAfter`, never negative (a run writing meanwhile can grow the file). */
  reclaimedBytes: number;
  /**
   * False when the file could not be compacted because another process kept it busy past the
   * timeout: the entries are gone and SQLite reuses their space, but the file keeps its size.
   */
  compacted: boolean;
};

const TABLE = 'lm_responses';
// A run writing the cache holds its write lock for one short transaction per event-loop turn;
// waiting as long as the engine does means a busy cache delays maintenance instead of failing it.
const BUSY_TIMEOUT_MS = 30_000;

function cacheFiles(path: string): { path: string; bytes: number }[] {
  return [path, `${path}-wal`, `${path}-shm`].flatMap((file) => {
    try {
      return [{ path: file, bytes: statSync(file).size }];
    } catch {
      return [];
    }
  });
}

const total = (files: { bytes: number }[]) => files.reduce((sum, f) => sum + f.bytes, 0);

/**
 * Opens an existing cache file for maintenance. Unlike the engine it never creates the file nor
 * switches its journal mode (a lock SQLite does not wait for); the file is already in WAL mode.
 */
async function openExisting(path: string): Promise<BetterSqlite3.Database> {
  const Database = await loadDriver(false);
  try {
    return new Database(path, { timeout: BUSY_TIMEOUT_MS, fileMustExist: true });
  } catch (error) {
    throw new DgtError(
      'OUTPUT_PATH',
      `Cannot open the LM request cache at ${path}: ${(error as Error).message}. Check the file's permissions, or delete it to start an empty cache.`,
      { cause: error },
    );
  }
}

/** A run may have created the file and not yet its table: that cache is empty. */
function hasTable(db: BetterSqlite3.Database): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(TABLE) !==
    undefined
  );
}

function isBusy(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return (
    (typeof e?.code === 'string' && e.code.startsWith('SQLITE_BUSY')) ||
    /database is locked/.test(String(e?.message))
  );
}

/** SQLite's own errors are about the user's file (locked, damaged, read-only): user errors. */
function wrapSqliteError(path: string, error: unknown): never {
  const e = error as { code?: unknown; message?: unknown };
  if (isBusy(error)) {
    throw new DgtError(
      'OUTPUT_PATH',
      `The LM request cache at ${path} stayed locked by another process for ${BUSY_TIMEOUT_MS / 1000} s. Try again when its runs are between requests.`,
      { cause: error },
    );
  }
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_')) {
    throw new DgtError(
      'OUTPUT_PATH',
      `The LM request cache at ${path} could not be used: ${String(e.message)}. If the file is damaged, delete it: the next run starts an empty cache.`,
      { cause: error },
    );
  }
  throw error;
}

/**
 * Describes the request cache in `dir` (a folder as `resolveCacheDir` returns it): where
 * it is, its size on disk, and its entries per provider and model. A folder without a cache is
 * not an error: the result has `exists: false`.
 *
 * @throws DgtError `MISSING_DEPENDENCY` when better-sqlite3 cannot be loaded.
 */
export async function describeRequestCache(dir: string): Promise<RequestCacheDescription> {
  const path = join(dir, CACHE_FILE_NAME);
  // Without the driver there is no cache to describe, ever: say so rather than "no cache yet".
  await loadDriver(false);
  const empty = { path, entries: 0, models: [] };
  if (!existsSync(path)) return { ...empty, exists: false, files: [], bytesOnDisk: 0 };
  // Sizes are taken before opening: closing the last connection checkpoints and removes the WAL.
  const files = cacheFiles(path);
  const db = await openExisting(path);
  try {
    const bytesOnDisk = total(files);
    if (!hasTable(db)) return { ...empty, exists: true, files, bytesOnDisk };
    const rows = db
      .prepare<
        [],
        {
          provider: string;
          model: string;
          entries: number;
          bytes: number;
          oldest: number;
          newest: number;
        }
      >(
        `SELECT provider, model, COUNT(*) AS entries,
                SUM(length(CAST(key AS BLOB)) + length(CAST(value AS BLOB))) AS bytes,
                MIN(created_at) AS oldest, MAX(created_at) AS newest
           FROM ${TABLE}
          GROUP BY provider, model
          ORDER BY entries DESC, provider, model`,
      )
      .all();
    const models = rows.map((r) => ({
      provider: r.provider,
      model: r.model,
      entries: r.entries,
      approxBytes: r.bytes,
      oldest: new Date(r.oldest),
      newest: new Date(r.newest),
    }));
    const description: RequestCacheDescription = {
      path,
      exists: true,
      files,
      bytesOnDisk,
      entries: models.reduce((sum, m) => sum + m.entries, 0),
      models,
    };
    if (models.length > 0) {
      description.oldest = new Date(Math.min(...rows.map((r) => r.oldest)));
      description.newest = new Date(Math.max(...rows.map((r) => r.newest)));
    }
    return description;
  } catch (error) {
    wrapSqliteError(path, error);
  } finally {
    db.close();
  }
}

function whereClause(filter: CacheClearFilter): { sql: string; params: (string | number)[] } {
  if (filter === 'all') return { sql: '', params: [] };
  const conditions: string[] = [];
  const params: (string | number)[] = [];
  if (filter.provider !== undefined) {
    conditions.push('provider = ?');
    params.push(filter.provider);
  }
  if (filter.model !== undefined) {
    conditions.push('model = ?');
    params.push(filter.model);
  }
  if (filter.createdBefore !== undefined) {
    conditions.push('created_at < ?');
    params.push(filter.createdBefore.getTime());
  }
  if (conditions.length === 0) {
    throw new DgtError(
      'USAGE',
      "clearing the request cache needs a filter (provider, model or createdBefore), or 'all' to remove every entry.",
    );
  }
  return { sql: ` WHERE ${conditions.join(' AND ')}`, params };
}

/**
 * Removes the entries of the request cache in `dir` that match `filter`, then compacts the file
 * (VACUUM, and a WAL checkpoint so the space really returns to the disk). Safe while runs use
 * the cache: it waits for their short write transactions, and a run simply misses the removed
 * entries (and may write new ones). A folder without a cache removes nothing.
 *
 * @example
 * ```ts
 * const week = new Date(Date.now() - 7 * 86_400_000);
 * await clearRequestCache(resolveCacheDir(process.env), { model: 'gpt-4o-mini', createdBefore: week });
 * ```
 * @throws DgtError `USAGE` for a filter object with no field set, `MISSING_DEPENDENCY` when
 * better-sqlite3 cannot be loaded.
 */
export async function clearRequestCache(
  dir: string,
  filter: CacheClearFilter,
): Promise<CacheClearResult> {
  const path = join(dir, CACHE_FILE_NAME);
  const where = whereClause(filter);
  await loadDriver(false);
  if (!existsSync(path)) {
    return {
      path,
      exists: false,
      removed: 0,
      remaining: 0,
      bytesBefore: 0,
      bytesAfter: 0,
      reclaimedBytes: 0,
      compacted: true,
    };
  }
  const bytesBefore = total(cacheFiles(path));
  const db = await openExisting(path);
  let removed = 0;
  let remaining = 0;
  let compacted = true;
  try {
    if (hasTable(db)) {
      removed = db.prepare(`DELETE FROM ${TABLE}${where.sql}`).run(...where.params).changes;
      remaining = (
        db.prepare(`SELECT COUNT(*) AS n FROM ${TABLE}`).get() as {
          n: number;
        }
      ).n;
    }
    // Free pages left by this or an earlier clear: VACUUM rewrites the file without them. In WAL
    // mode the rewrite lands in the WAL; the TRUNCATE checkpoint copies it back, shrinks the
    // database file and empties the WAL.
    const free = db.pragma('freelist_count', { simple: true }) as number;
    if (removed > 0 || free > 0) {
      try {
        db.exec('VACUUM');
        const [checkpoint] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
        // A run reading at this moment keeps the WAL alive; its space returns at its next checkpoint.
        if (checkpoint?.busy) compacted = false;
      } catch (error) {
        if (!isBusy(error)) throw error;
        compacted = false;
      }
    }
  } catch (error) {
    wrapSqliteError(path, error);
  } finally {
    db.close();
  }
  const bytesAfter = total(cacheFiles(path));
  return {
    path,
    exists: true,
    removed,
    remaining,
    bytesBefore,
    bytesAfter,
    reclaimedBytes: Math.max(0, bytesBefore - bytesAfter),
    compacted,
  };
}
