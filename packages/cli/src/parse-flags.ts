import { DgtError } from '@dgt/core';
import type { CommandDefinition, FlagDefinition } from './cli-definition.js';

/** Parsed flags, by flag name; positional arguments (when the command takes them) under `_`. */
export type ParsedFlags = Record<string, string | number | boolean | string[] | undefined>;

function nearest(name: string, names: string[]): string | undefined {
  return names.find(
    (candidate) =>
      candidate.startsWith(name) || name.startsWith(candidate) || candidate.includes(name),
  );
}

/**
 * Parses `--flag value`, `--flag=value` and DiGiT's multi-value lists (`--task-paths a.yaml
 * b.yaml`). With `positionals`, bare arguments are collected under `_` (a list flag takes the
 * values that follow it, so put positionals first). Mistakes are {@link DgtError}s naming the
 * flag and the fix.
 */
export function parseFlags(
  args: readonly string[],
  flags: readonly FlagDefinition[],
  command: string,
  options: { positionals?: boolean } = {},
): ParsedFlags {
  const byName = new Map<string, FlagDefinition>();
  for (const flag of flags) {
    byName.set(flag.name, flag);
    for (const alias of flag.aliases ?? []) byName.set(alias, flag);
  }
  const parsed: ParsedFlags = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const match = /^--?([^=]+)(?:=(.*))?$/.exec(arg);
    if (!match && options.positionals) {
      parsed._ = [...((parsed._ as string[] | undefined) ?? []), arg];
      continue;
    }
    if (!match) {
      throw new DgtError(
        'USAGE',
        `unexpected argument "${arg}". Values follow their flag, e.g. dgt ${command} --task-paths ${arg}.`,
      );
    }
    const [, rawName, inline] = match;
    const flag = byName.get(rawName!);
    if (!flag) {
      const hint = nearest(
        rawName!,
        flags.map((f) => f.name),
      );
      throw new DgtError(
        'USAGE',
        `unknown flag --${rawName}.${hint ? ` Did you mean --${hint}?` : ''} See dgt ${command} --help.`,
      );
    }
    if (flag.kind === 'boolean') {
      if (inline !== undefined && !['true', 'false'].includes(inline)) {
        throw new DgtError('USAGE', `--${flag.name} takes no value (found "${inline}").`);
      }
      parsed[flag.name] = inline !== 'false';
      continue;
    }
    const values: string[] = inline !== undefined ? [inline] : [];
    if (inline === undefined) {
      while (i + 1 < args.length && !args[i + 1]!.startsWith('--')) {
        values.push(args[++i]!);
        if (flag.kind !== 'list') break;
      }
    }
    if (values.length === 0)
      throw new DgtError(
        'USAGE',
        `--${flag.name} needs a value: --${flag.name} ${flag.valueName ?? 'VALUE'}.`,
      );
    if (flag.kind === 'list') {
      parsed[flag.name] = [
        ...((parsed[flag.name] as string[] | undefined) ?? []),
        ...values.flatMap((v) => v.split(',')).filter(Boolean),
      ];
    } else if (flag.kind === 'integer') {
      const value = Number(values[0]);
      if (!Number.isInteger(value) || value < 0) {
        throw new DgtError(
          'USAGE',
          `--${flag.name} needs a whole number ≥ 0, found "${values[0]}".`,
        );
      }
      parsed[flag.name] = value;
    } else if (flag.kind === 'number') {
      const value = Number(values[0]);
      if (values[0]!.trim() === '' || !Number.isFinite(value) || value < 0) {
        throw new DgtError('USAGE', `--${flag.name} needs a number ≥ 0, found "${values[0]}".`);
      }
      parsed[flag.name] = value;
    } else {
      parsed[flag.name] = values[0];
    }
  }
  return parsed;
}

/** The `--help` text of a command, from its definition (flags, arguments, examples). */
export function commandHelp(command: CommandDefinition): string {
  const rows = command.flags.map((flag) => {
    const names = [
      `--${flag.name}`,
      ...(flag.aliases ?? []).map((a) => (a.length === 1 ? `-${a}` : `--${a}`)),
    ].join(', ');
    return [`${names}${flag.valueName ? ` ${flag.valueName}` : ''}`, flag.help] as const;
  });
  const args = (command.positionals ?? []).map((p) => [p.name, p.help] as const);
  const width = Math.max(...[...rows, ...args].map(([left]) => left.length)) + 2;
  const table = (entries: readonly (readonly [string, string])[]) =>
    entries.map(([left, help]) => `  ${left.padEnd(width)}${help}`);
  return [
    `Usage: ${command.usage}`,
    '',
    command.summary,
    '',
    ...(args.length ? ['Arguments:', ...table(args), ''] : []),
    'Options:',
    ...table(rows),
    '',
    ...(command.examples?.length
      ? ['Examples:', ...command.examples.map((example) => `  ${example}`), '']
      : []),
  ].join('\n');
}
