import { stat } from 'node:fs/promises';
import path from 'node:path';
import { DgtError } from '../errors/dgt-error.js';
import { nearestNames } from '../util/nearest-names.js';
import { expandEnv } from './env-expand.js';
import { applyIncludes, type IncludedFile } from './include.js';
import { resolveTaskFiles } from './task-files.js';
import {
  type OverrideFile,
  overrideFileSchema,
  type TaskConfig,
  taskConfigSchema,
} from './task-schema.js';
import { readYamlSource, type YamlSource } from './yaml-source.js';
import { zodToDgtError } from './zod-issues.js';

/** A validated task with where it came from. */
export type LoadedTask = {
  config: TaskConfig;
  /** The task file (or the override file, for a task the override defines). */
  file: string;
  /** Folder that relative paths in the task resolve against. */
  baseDir: string;
  /** `file:line` of a key path, for messages about this task. */
  where(path: readonly PropertyKey[]): string;
  /** The files its `include:` loaded. */
  includes?: IncludedFile[];
  /** The task as written, `include:` paths not yet loaded (for task cards of large includes). */
  unincluded?: Record<string, unknown>;
};

/** Builder overrides from `--config-path`, by builder name, with where each came from. */
export type BuilderOverride = {
  config: Record<string, unknown>;
  where(path: readonly PropertyKey[]): string;
};

/** What {@link loadTasks} reads. */
export type LoadTasksOptions = {
  taskPaths: readonly string[];
  configPath?: string;
  cwd: string;
  env: Record<string, string | undefined>;
};

type RawTask = {
  file: string;
  baseDir: string;
  data: Record<string, unknown>;
  /** Top-level keys that an override set, so messages point at the override file. */
  overridden: Map<string, (path: readonly PropertyKey[]) => string>;
  where(path: readonly PropertyKey[]): string;
};

/**
 * Reads task files (files, folders, globs) and the optional override file, expands `${ENV}`,
 * applies overrides and `include:`, and validates every task before anything runs. Errors name
 * the file, line and key.
 */
export async function loadTasks(options: LoadTasksOptions): Promise<{
  tasks: LoadedTask[];
  builderOverrides: Record<string, BuilderOverride>;
}> {
  const { cwd, env } = options;
  let overrides: OverrideFile = {};
  let overrideSource: YamlSource | undefined;
  if (options.configPath) {
    overrideSource = await readYamlSource(path.resolve(cwd, options.configPath));
    const where = overrideSource.where;
    const expanded = expandEnv(overrideSource.data ?? {}, env, where);
    const parsed = overrideFileSchema.safeParse(expanded);
    if (!parsed.success) {
      const error = zodToDgtError('INVALID_OVERRIDE', parsed.error, expanded, where);
      error.message += `\nAn override file may hold only databuilders:, tasks: and task_files:.`;
      throw error;
    }
    overrides = parsed.data;
  }

  const overrideDir = overrideSource ? path.dirname(overrideSource.file) : cwd;
  const taskFileEntries = [...options.taskPaths];
  for (const entry of overrides.task_files ?? []) {
    // DiGiT resolves these from where it runs; fall back to the override file's folder.
    const fromCwd = path.resolve(cwd, entry);
    taskFileEntries.push((await exists(fromCwd)) ? fromCwd : path.resolve(overrideDir, entry));
  }
  const files = taskFileEntries.length ? await resolveTaskFiles(taskFileEntries, cwd) : [];

  const raw: RawTask[] = [];
  for (const file of files) {
    const source = await readYamlSource(file);
    if (source.data === null || typeof source.data !== 'object' || Array.isArray(source.data)) {
      throw new DgtError(
        'INVALID_TASK',
        `${file}: a task file must be a mapping with task_name:, data_builder: and the task's data.`,
      );
    }
    const data = expandEnv(source.data, env, source.where) as Record<string, unknown>;
    raw.push({
      file,
      baseDir: path.dirname(file),
      data,
      overridden: new Map(),
      where: source.where,
    });
  }

  const seen = new Map<string, RawTask>();
  for (const task of raw) {
    const name = typeof task.data.task_name === 'string' ? task.data.task_name : undefined;
    if (name === undefined) continue; // reported by validation below
    const first = seen.get(name);
    if (first) {
      throw new DgtError(
        'DUPLICATE_TASK',
        `task "${name}" is defined twice: ${first.where(['task_name'])} and ${task.where(['task_name'])}. Task names must be unique in a run; rename one.`,
      );
    }
    seen.set(name, task);
  }

  for (const [name, patch] of Object.entries(overrides.tasks ?? {})) {
    const where = (p: readonly PropertyKey[]) => overrideSource!.where(['tasks', name, ...p]);
    let task = seen.get(name);
    if (!task) {
      // An override may define a whole task, as DiGiT's full-config files do; without a
      // data_builder it can only be a patch for a task that is missing (often a typo).
      if (patch.data_builder === undefined) {
        const known = [...seen.keys()];
        const near = nearestNames(name, known);
        throw new DgtError(
          'INVALID_OVERRIDE',
          `${where([])}: the override is for task "${name}", which no task file defines.${near.length ? ` Did you mean "${near[0]}"?` : known.length ? ` Tasks in this run: ${known.join(', ')}.` : ''} To define a new task here instead, give it data_builder: and its data.`,
        );
      }
      task = {
        file: overrideSource!.file,
        baseDir: overrideDir,
        data: { task_name: name },
        overridden: new Map(),
        where,
      };
      raw.push(task);
      seen.set(name, task);
    }
    for (const [key, value] of Object.entries(patch)) {
      task.overridden.set(key, where);
      if (value === null) delete task.data[key];
      else if (key === 'runner_config' && isObject(value) && isObject(task.data[key])) {
        task.data[key] = { ...(task.data[key] as object), ...value };
      } else task.data[key] = value;
    }
  }

  const tasks: LoadedTask[] = [];
  for (const task of raw) {
    const where = (p: readonly PropertyKey[]) => {
      const top = p[0];
      const fromOverride = typeof top === 'string' ? task.overridden.get(top) : undefined;
      return fromOverride ? fromOverride(p) : task.where(p);
    };
    const includeWhere = where(['include']);
    const includes: IncludedFile[] = [];
    const withIncludes = await applyIncludes(task.data, task.baseDir, includeWhere, includes);
    const parsed = taskConfigSchema.safeParse(withIncludes);
    if (!parsed.success) throw zodToDgtError('INVALID_TASK', parsed.error, withIncludes, where);
    tasks.push({
      config: parsed.data,
      file: task.file,
      baseDir: task.baseDir,
      where,
      ...(includes.length ? { includes, unincluded: task.data } : {}),
    });
  }

  const builderOverrides: Record<string, BuilderOverride> = {};
  for (const [name, config] of Object.entries(overrides.databuilders ?? {})) {
    builderOverrides[name] = {
      config,
      where: (p) => overrideSource!.where(['databuilders', name, ...p]),
    };
  }
  return { tasks, builderOverrides };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
