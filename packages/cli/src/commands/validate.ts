import path from 'node:path';
import {
  checkPlanBlocks,
  DgtError,
  dgtErrorProblems,
  isDgtError,
  planRun,
  type RunPlan,
} from '@dgt/core';
import type { CliIo } from '../io.js';
import { commandHelp, parseFlags } from '../parse-flags.js';
import { VALIDATE_COMMAND } from './definitions.js';
import {
  discoverFromFlags,
  flagReader,
  planOptionsFromFlags,
  writeDigitFlagNotes,
} from './plan-options.js';

/** A task that passed validation, as `dgt validate --json` reports it. */
type ValidTask = {
  task: string;
  file: string;
  builder: string;
  kind: 'generation' | 'transformation';
  target?: number;
  seeds?: number;
  outputDir: string;
};

/**
 * A problem found, with the task path it came from; a block that could not be created also names
 * its builder, block and block type.
 */
type Problem = {
  path: string;
  code: string;
  message: string;
  builder?: string;
  block?: string;
  type?: string;
};

/** A path relative to `cwd` when it lies below it, else absolute. */
function shown(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

function describePlan(plan: RunPlan, cwd: string): ValidTask[] {
  return plan.builders.flatMap((builder) =>
    builder.tasks.map(({ loaded, settings, seeds }) => ({
      task: loaded.config.task_name,
      file: shown(loaded.file, cwd),
      builder: builder.id,
      kind: builder.builder.kind,
      ...(builder.builder.kind === 'generation'
        ? { target: settings.target, seeds: seeds.length }
        : {}),
      outputDir: shown(settings.taskDir, cwd),
    })),
  );
}

/**
 * `dgt validate`: plans the run exactly as `dgt run` would (tasks, overrides, builders, block
 * configs, seeds), then creates and closes every block as the run would before its first request
 * (optional SDKs, URLs, price files), with no LM call and no file written; a missing API key is
 * a warning (the shape is right; `run` would fail until it is set). Each task
 * path is checked on its own, so one broken file does not hide the mistakes of the next; then, if
 * all pass, together (as a run would see them). Exit 0 when valid, 2 otherwise.
 */
export async function validateCommand(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, VALIDATE_COMMAND.flags, 'validate', { positionals: true });
  if (flags.help) {
    io.out.write(commandHelp(VALIDATE_COMMAND));
    return 0;
  }
  const { str, list } = flagReader(flags);
  const taskPaths = [...list('_'), ...list('task-paths')];
  if (taskPaths.length === 0 && !str('config-path')) {
    throw new DgtError(
      'USAGE',
      'no task to validate: give task files, e.g. dgt validate task.yaml (see dgt validate --help).',
    );
  }
  if (!flags.json) writeDigitFlagNotes(flags, io);
  const registry = await discoverFromFlags(flags, io);
  const plan = (paths: readonly string[]) =>
    planRun(planOptionsFromFlags(flags, io, registry, paths));

  const problems: Problem[] = [];
  // A builder shared by several task paths has the same blocks in each plan: create them once.
  const checkedBuilders = new Set<string>();
  // Plan warnings (e.g. a misspelled block key); the same builder may be planned more than once.
  const warnings = new Set<string>();
  // Missing API keys: warnings even with --strict (the task files are not at fault).
  const credentials = new Set<string>();
  const check = async (label: string, paths: readonly string[]) => {
    let planned: RunPlan;
    try {
      planned = await plan(paths);
    } catch (error) {
      if (!isDgtError(error)) throw error;
      for (const problem of dgtErrorProblems(error))
        problems.push({ path: label, code: problem.code, message: problem.message });
      return undefined;
    }
    for (const warning of planned.warnings) warnings.add(warning);
    const unchecked = planned.builders.filter((builder) => !checkedBuilders.has(builder.id));
    for (const builder of unchecked) checkedBuilders.add(builder.id);
    const blockProblems = await checkPlanBlocks(
      { ...planned, builders: unchecked },
      { onWarning: (warning) => warnings.add(warning) },
    );
    let broken = false;
    for (const { code, message, builder, block, type } of blockProblems) {
      // The shape is valid; only the environment lacks a key, which a mock run does not need.
      if (code === 'MISSING_CREDENTIALS') {
        credentials.add(`${message} dgt run would fail until it is set.`);
        continue;
      }
      broken = true;
      problems.push({ path: label, code, message, builder, block, type });
    }
    return broken ? undefined : planned;
  };
  // With an override file, tasks may come from its task_files: check everything at once.
  const separately = taskPaths.length > 1 && !str('config-path');
  if (separately) for (const taskPath of taskPaths) await check(taskPath, [taskPath]);
  const whole = problems.length === 0 ? await check(taskPaths.join(' '), taskPaths) : undefined;
  const tasks = whole ? describePlan(whole, io.cwd) : [];

  if (flags.strict) {
    // Every warning gathered so far is about an unknown key.
    for (const warning of warnings)
      problems.push({ path: taskPaths.join(' '), code: 'UNKNOWN_KEY', message: warning });
    warnings.clear();
  }
  for (const warning of credentials) warnings.add(warning);
  if (flags.json) {
    io.out.write(
      `${JSON.stringify({ ok: problems.length === 0, tasks, errors: problems, warnings: [...warnings] })}\n`,
    );
    return problems.length === 0 ? 0 : 2;
  }
  for (const warning of warnings) io.err.write(`warning: ${warning}\n`);
  for (const problem of problems) io.err.write(`dgt: error: ${problem.message}\n`);
  if (problems.length > 0) {
    // A path can have several problems (one per broken block): count the paths.
    const broken = new Set(problems.map((problem) => problem.path)).size;
    if (separately)
      io.err.write(
        `dgt: ${broken} of ${taskPaths.length} task paths ${broken === 1 ? 'has' : 'have'} errors.\n`,
      );
    return 2;
  }
  for (const task of tasks) {
    const size =
      task.kind === 'generation'
        ? `generation, target ${task.target}, ${task.seeds} seed example${task.seeds === 1 ? '' : 's'}`
        : 'transformation';
    io.out.write(`ok  ${task.task}  (${task.file}: builder ${task.builder}, ${size})\n`);
  }
  io.out.write(
    `${tasks.length} task${tasks.length === 1 ? '' : 's'} valid; no model was called.\n`,
  );
  return 0;
}
