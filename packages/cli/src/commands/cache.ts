import path from 'node:path';
import type {
  CacheClearFilter,
  CacheClearResult,
  CachedModelSummary,
  RequestCacheDescription,
} from '@dgt/blocks-lm';
import { DgtError } from '@dgt/core';
import type { CliIo } from '../io.js';
import { commandHelp, type ParsedFlags, parseFlags } from '../parse-flags.js';
import { CACHE_COMMAND } from './definitions.js';
import { flagReader } from './plan-options.js';

const SUBCOMMANDS = ['info', 'clear'] as const;
const FILTERS = ['model', 'provider', 'older-than'] as const;

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `30d`, `12h`, `90m`, `1.5h` → milliseconds; anything else is a usage error naming the flag. */
function parseAge(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim());
  if (!match) {
    throw new DgtError(
      'USAGE',
      `--older-than ${text}: expected a number and a unit (s, m, h, d or w), e.g. --older-than 30d, 12h or 90m.`,
    );
  }
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** 1536 → "1.5 KiB". */
function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A moment to the minute, in UTC so the output reads the same on every machine. */
function when(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const entries = (n: number) => (n === 1 ? '1 entry' : `${n} entries`);

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    `  ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 2))).join('')}`.trimEnd(),
  );
}

function modelRows(models: readonly CachedModelSummary[]): string[] {
  return table([
    ['provider', 'model', 'entries', '~size', 'oldest', 'newest'],
    ...models.map((m) => [
      m.provider,
      m.model,
      String(m.entries),
      bytes(m.approxBytes),
      when(m.oldest),
      when(m.newest),
    ]),
  ]);
}

function infoText(info: RequestCacheDescription): string {
  if (!info.exists) return `no cache yet at ${info.path}\n`;
  const parts = info.files.map((f) =>
    f.path === info.path
      ? `${bytes(f.bytes)} database`
      : `${bytes(f.bytes)} ${f.path.slice(info.path.length)}`,
  );
  const lines = [
    `Request cache: ${info.path}`,
    `On disk:       ${bytes(info.bytesOnDisk)}${parts.length > 1 ? ` (${parts.join(', ')})` : ''}`,
    `Entries:       ${info.entries}${
      info.oldest && info.newest ? `, written ${when(info.oldest)} to ${when(info.newest)}` : ''
    }`,
  ];
  if (info.models.length) lines.push('', ...modelRows(info.models));
  return `${lines.join('\n')}\n`;
}

function clearText(result: CacheClearResult, info: RequestCacheDescription | undefined): string {
  if (!result.exists) return `no cache yet at ${result.path}: nothing to clear\n`;
  const lines = [
    `Removed ${entries(result.removed)} from ${result.path}; ${result.remaining} left. Reclaimed ${bytes(result.reclaimedBytes)} (${bytes(result.bytesBefore)} → ${bytes(result.bytesAfter)} on disk).`,
  ];
  if (!result.compacted) {
    lines.push(
      'Another process was using the file, so it was not compacted: new entries reuse the freed space, and the next dgt cache clear compacts it.',
    );
  }
  // A model or provider that matched nothing is most often misspelt: show what is there.
  if (result.removed === 0 && info?.models.length) {
    lines.push('No entry matched. The cache holds:', ...modelRows(info.models));
  }
  return `${lines.join('\n')}\n`;
}

function clearFilter(flags: ParsedFlags, now: number): CacheClearFilter {
  const { str } = flagReader(flags);
  const given = FILTERS.filter((name) => flags[name] !== undefined);
  if (flags.all) {
    if (given.length) {
      throw new DgtError(
        'USAGE',
        `--all removes every entry and cannot be combined with ${given.map((f) => `--${f}`).join(', ')}. Drop --all to remove only the matching entries.`,
      );
    }
    return 'all';
  }
  if (given.length === 0) {
    throw new DgtError(
      'USAGE',
      'dgt cache clear needs a filter (--model ID, --provider NAME, --older-than AGE such as 30d) or --all to remove every entry. See dgt cache --help.',
    );
  }
  const olderThan = str('older-than');
  return {
    ...(str('model') !== undefined ? { model: str('model')! } : {}),
    ...(str('provider') !== undefined ? { provider: str('provider')! } : {}),
    ...(olderThan !== undefined ? { createdBefore: new Date(now - parseAge(olderThan)) } : {}),
  };
}

/**
 * `dgt cache info | clear`: shows or trims the persistent LM request cache of `@dgt/blocks-lm`,
 * in `--cache-dir` or the folder runs use (the same environment fallbacks). Clearing never asks
 * for confirmation, since scripts run it; clearing everything takes `--all` instead, so a
 * mistyped filter flag is a usage error rather than an empty cache.
 */
export async function cacheCommand(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, CACHE_COMMAND.flags, 'cache', { positionals: true });
  if (flags.help) {
    io.out.write(commandHelp(CACHE_COMMAND));
    return 0;
  }
  const { str, list } = flagReader(flags);
  const [subcommand, ...extra] = list('_');
  if (!SUBCOMMANDS.includes(subcommand as (typeof SUBCOMMANDS)[number])) {
    throw new DgtError(
      'USAGE',
      `${subcommand === undefined ? 'dgt cache needs a subcommand' : `unknown subcommand "dgt cache ${subcommand}"`}: dgt cache info or dgt cache clear (see dgt cache --help).`,
    );
  }
  if (extra.length) {
    throw new DgtError(
      'USAGE',
      `unexpected argument "${extra[0]}" after dgt cache ${subcommand}. Values follow their flag, e.g. --model ${extra[0]}.`,
    );
  }
  // Loaded here, not at start-up: the other commands do not need the LM package.
  const { clearRequestCache, describeRequestCache, resolveCacheDir } = await import(
    '@dgt/blocks-lm'
  );
  const cacheDir = str('cache-dir');
  const dir = cacheDir !== undefined ? path.resolve(io.cwd, cacheDir) : resolveCacheDir(io.env);

  if (subcommand === 'info') {
    const misplaced = [...FILTERS, 'all'].find((name) => flags[name] !== undefined);
    if (misplaced) {
      throw new DgtError(
        'USAGE',
        `--${misplaced} belongs to dgt cache clear; dgt cache info always describes the whole cache.`,
      );
    }
    const info = await describeRequestCache(dir);
    io.out.write(flags.json ? `${JSON.stringify(info, null, 2)}\n` : infoText(info));
    return 0;
  }

  const result = await clearRequestCache(dir, clearFilter(flags, Date.now()));
  if (flags.json) {
    io.out.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const named = flags.model !== undefined || flags.provider !== undefined;
  const info =
    named && result.removed === 0 && result.remaining > 0
      ? await describeRequestCache(dir)
      : undefined;
  io.out.write(clearText(result, info));
  return 0;
}
