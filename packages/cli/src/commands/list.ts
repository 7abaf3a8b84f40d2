import { type Contribution, DgtError } from '@dgt/core';
import type { CliIo } from '../io.js';
import { commandHelp, parseFlags } from '../parse-flags.js';
import { LIST_COMMAND } from './definitions.js';
import { discoverFromFlags, flagReader } from './plan-options.js';

const KINDS = ['builders', 'blocks', 'datastores', 'formatters'] as const;
type Kind = (typeof KINDS)[number];

/**
 * One entry of `dgt list --json`: a contribution under its shortest id, with the other ids that
 * name the same thing (`aliases`, only when there are some).
 */
export type ListedContribution = {
  id: string;
  package: string;
  version: string;
  aliases?: string[];
};

/** Groups ids of one package that point at the same export (aliases) into one entry each. */
function groupAliases(contributions: readonly Contribution[]): ListedContribution[] {
  const groups = new Map<string, Contribution[]>();
  for (const c of contributions) {
    const key = c.target === undefined ? `id:${c.id}` : `${c.packageName}\0${c.target}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()]
    .map((group) => {
      const [first, ...rest] = [...group].sort(
        (a, b) => a.id.length - b.id.length || a.id.localeCompare(b.id),
      );
      return {
        id: first!.id,
        package: first!.packageName,
        version: first!.version,
        ...(rest.length ? { aliases: rest.map((c) => c.id) } : {}),
      };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * `dgt list`: every id the project can use, from package.json metadata only. The registry's
 * contributions are lazy imports; listing never calls them, so no plugin code runs.
 */
export async function listCommand(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, LIST_COMMAND.flags, 'list');
  if (flags.help) {
    io.out.write(commandHelp(LIST_COMMAND));
    return 0;
  }
  const kind = flagReader(flags).str('kind');
  if (kind !== undefined && !KINDS.includes(kind as Kind)) {
    throw new DgtError(
      'USAGE',
      `--kind ${kind}: expected one of ${KINDS.join(', ')} (e.g. dgt list --kind builders).`,
    );
  }
  const registry = await discoverFromFlags(flags, io);
  const kinds = kind ? [kind as Kind] : KINDS;
  const listed = Object.fromEntries(
    kinds.map((k) => [k, groupAliases(registry.list(k))]),
  ) as Partial<Record<Kind, ListedContribution[]>>;

  if (flags.json) {
    io.out.write(`${JSON.stringify(listed, null, 2)}\n`);
    return 0;
  }
  const all = Object.values(listed).flat();
  const idWidth = Math.max(2, ...all.map((e) => e.id.length)) + 2;
  const packageWidth = Math.max(7, ...all.map((e) => e.package.length)) + 2;
  const versionWidth = Math.max(...all.map((e) => e.version.length)) + 2;
  const lines: string[] = [];
  for (const k of kinds) {
    const entries = listed[k] ?? [];
    lines.push(`${k[0]!.toUpperCase()}${k.slice(1)} (${entries.length})`);
    if (entries.length === 0) lines.push('  (none)');
    for (const e of entries) {
      const row = `  ${e.id.padEnd(idWidth)}${e.package.padEnd(packageWidth)}`;
      lines.push(
        e.aliases
          ? `${row}${e.version.padEnd(versionWidth)}aliases: ${e.aliases.join(', ')}`
          : `${row}${e.version}`,
      );
    }
    lines.push('');
  }
  io.out.write(lines.join('\n'));
  return 0;
}
