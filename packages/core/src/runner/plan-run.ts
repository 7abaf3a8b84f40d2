import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  type BlockConfig,
  type BuilderConfig,
  builderConfigSchema,
} from '../config/builder-schema.js';
import { withDotEnv } from '../config/dotenv.js';
import { withDigitEnvDefaults } from '../config/env-defaults.js';
import { type LoadedTask, loadTasks } from '../config/load-tasks.js';
import { readYamlSource } from '../config/yaml-source.js';
import { zodToDgtError } from '../config/zod-issues.js';
import { adaptBlockDefinition } from '../contracts/adapt.js';
import { isDatabuilder } from '../contracts/guards.js';
import type { BlockDefinition } from '../contracts/v1/block.js';
import type { Databuilder } from '../contracts/v1/builder.js';
import type { StoredRecord } from '../contracts/v1/datastore.js';
import { remapFields, taskDataloader } from '../dataloader/task-dataloader.js';
import { combineDgtErrors, DgtError, isDgtError } from '../errors/dgt-error.js';
import type { Registry } from '../registry/registry.js';
import { validateWithSchema } from '../schema/validate-schema.js';
import {
  applyRunSettings,
  type EngineOverride,
  mergeBuilderConfig,
  type SettingsOf,
} from './builder-config.js';
import { inputFields } from './builder-fields.js';
import { resolveSharedStateUrl } from './shared-state-url.js';
import { checkTaskFormatter, mappingKeyWarnings } from './task-checks.js';
import { unknownBuilderKeyWarnings, unknownTaskKeyWarnings } from './task-key-warnings.js';
import { type RunnerOverrides, resolveTaskSettings, type TaskSettings } from './task-settings.js';
import { unknownKeyWarnings } from './unknown-keys.js';

/** What a run reads: task files, overrides and command-line settings. */
export type PlanOptions = {
  /** Task files, folders or globs (`--task-paths`). */
  taskPaths: readonly string[];
  /** An override file (`--config-path`). */
  configPath?: string;
  /** The user's project folder: relative paths, `.env` and plugin discovery start here. */
  cwd?: string;
  /** Environment for `${VAR}` expansion and provider fallbacks; `process.env` by default. */
  env?: Record<string, string | undefined>;
  /** The plugins of the run (see `discoverPlugins`). */
  registry: Registry;
  /** Runner settings from the command line; they win over task files. */
  runner?: RunnerOverrides;
  /** Run-wide engine flags: every LM block uses this provider (per-block overrides still win). */
  engine?: EngineOverride;
  /**
   * Top-level keys set on every builder's config, over its YAML and overrides (DiGiT's
   * `--num-prompt-instructions`, `--prompt-file-path`); builders that do not read them ignore them.
   */
  builderSettings?: Record<string, unknown>;
  /** The run's queue (`--queue`); `DGT_QUEUE_URL` when unset. See `BlockInitContext.sharedStateUrl`. */
  queueUrl?: string;
  /**
   * `include:` may load files outside the task file's folder tree without a warning
   * (`--allow-outside-includes`; a task can say so with `runner_config.allow_outside_includes`).
   */
  allowOutsideIncludes?: boolean;
};

/** A task ready to run. */
export type PlannedTask = { loaded: LoadedTask; settings: TaskSettings; seeds: StoredRecord[] };

/** A builder ready to run, with its merged config and the block types it uses. */
export type PlannedBuilder = {
  /** The name tasks use for it (`data_builder`). */
  id: string;
  builder: Databuilder;
  config: BuilderConfig;
  blockDefinitions: Map<string, BlockDefinition>;
  /** Each block's config as validated by its type's schema. */
  blockConfigs: BlockConfig[];
  tasks: PlannedTask[];
};

/** A fully validated run: nothing in it can fail on configuration once LM calls start. */
export type RunPlan = {
  cwd: string;
  /** The run-wide engine flags, also applied to blocks that blocks create. */
  engine: EngineOverride;
  env: Record<string, string | undefined>;
  registry: Registry;
  builders: PlannedBuilder[];
  /**
   * Things the user should fix that do not stop the run, each naming its `file:line` (e.g. a
   * block key that looks like a typo of a known one). The run emits each as a `warning` event.
   */
  warnings: string[];
  /** The Redis URL shared by every process of the run, when it has a queue. */
  sharedStateUrl?: string;
};

/**
 * Loads and validates everything a run needs (tasks, overrides, builders, block configs, seeds)
 * before any LM call, so a mistake is reported at once with its file, line and key.
 */
export async function planRun(options: PlanOptions & { signal?: AbortSignal }): Promise<RunPlan> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const env = withDigitEnvDefaults(await withDotEnv(cwd, options.env ?? process.env), cwd);
  const { registry } = options;
  const { tasks, builderOverrides } = await loadTasks({
    taskPaths: options.taskPaths,
    ...(options.configPath ? { configPath: options.configPath } : {}),
    cwd,
    env,
  });
  if (tasks.length === 0) {
    throw new DgtError(
      'USAGE',
      'no task to run: give task files with --task-paths (or task_files: in the --config-path file).',
    );
  }

  const groups = new Map<string, LoadedTask[]>();
  for (const task of tasks)
    groups.set(task.config.data_builder, [...(groups.get(task.config.data_builder) ?? []), task]);

  const builders: PlannedBuilder[] = [];
  const warnings: string[] = [];
  for (const task of tasks) {
    if (options.allowOutsideIncludes) break;
    warnings.push(...(await outsideIncludeWarnings(task)));
  }
  // Every problem is collected (all unknown builders of a folder, every broken task) and
  // reported together; a broken builder does not hide the next one.
  const problems: DgtError[] = [];
  const collect = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      if (!isDgtError(error)) throw error;
      problems.push(error);
    }
  };
  for (const [id, group] of groups)
    await collect(async () => {
      const first = group[0]!;
      const loaded = await registry.load('builders', id, first.where(['data_builder']));
      if (!isDatabuilder(loaded)) {
        throw new DgtError(
          'INVALID_PLUGIN',
          `databuilder "${id}" does not export a databuilder (expected an object made with defineBuilder, specificationVersion 'v1').`,
        );
      }
      const builder = loaded;
      const base =
        typeof builder.config === 'string' ? await readYamlSource(builder.config) : undefined;
      const baseConfig = (base ? base.data : builder.config) as Record<string, unknown>;
      const baseWhere = base ? base.where : () => `builder ${id}`;
      // DiGiT's override files may also key a builder's entry by a task that uses it and name
      // the builder in it (`databuilders: {public/examples/chit_chat: {data_builder: core/conversation}}`).
      const override =
        builderOverrides[id] ??
        builderOverrides[builder.name] ??
        builderOverrides[String(baseConfig?.name)] ??
        group
          .map((task) => builderOverrides[task.config.task_name])
          .find(
            (entry) =>
              entry !== undefined && [undefined, id].includes(entry.config.data_builder as string),
          );

      const definitions = new Map<string, BlockDefinition>();
      const loadDefinition = async (type: string, where: string) => {
        if (definitions.has(type)) return;
        const definition = adaptBlockDefinition(await registry.load('blocks', type, where));
        if (!definition) {
          throw new DgtError(
            'INVALID_PLUGIN',
            `${where}: block type "${type}" does not export a block definition (expected defineBlock(...), specificationVersion 'v1').`,
          );
        }
        definitions.set(type, definition);
      };
      const blockEntries = (config: unknown) =>
        ((config as { blocks?: unknown })?.blocks ?? []) as Partial<BlockConfig>[];
      for (const [i, block] of blockEntries(baseConfig).entries()) {
        if (typeof block?.type === 'string')
          await loadDefinition(block.type, baseWhere(['blocks', i, 'type']));
      }
      for (const [i, block] of blockEntries(override?.config).entries()) {
        if (typeof block?.type === 'string')
          await loadDefinition(block.type, override!.where(['blocks', i, 'type']));
      }
      if (options.engine?.type)
        await loadDefinition(options.engine.type, `--engine ${options.engine.type}`);
      const settingsOf: SettingsOf = (type) => definitions.get(type)?.settings;
      if (override)
        warnings.push(...unknownBuilderKeyWarnings(id, override.config, override.where));

      const engine = options.engine ?? {};
      let merged = applyRunSettings(baseConfig, engine, settingsOf);
      if (override) {
        merged = mergeBuilderConfig(merged, override.config, settingsOf);
        merged = applyRunSettings(merged, engine, settingsOf, 'after-overrides');
      }
      if (options.builderSettings) merged = { ...merged, ...options.builderSettings };
      const where = (p: readonly PropertyKey[]) =>
        override ? `${baseWhere(p)} (with overrides from ${override.where([])})` : baseWhere(p);
      const parsedConfig = builderConfigSchema.safeParse(merged);
      if (!parsedConfig.success)
        throw zodToDgtError('INVALID_BUILDER_CONFIG', parsedConfig.error, merged, where);
      const config = parsedConfig.data;

      const names = new Set<string>();
      const blockConfigs: BlockConfig[] = [];
      for (const [i, block] of config.blocks.entries()) {
        if (names.has(block.name)) {
          throw new DgtError(
            'INVALID_BUILDER_CONFIG',
            `${where(['blocks', i, 'name'])}: two blocks are named "${block.name}"; block names must be unique in a builder.`,
          );
        }
        names.add(block.name);
        await loadDefinition(block.type, where(['blocks', i, 'type']));
        const parsed = validateWithSchema(definitions.get(block.type)!.configSchema, block);
        if (!parsed.success) {
          // A key an engine flag set is the flag's mistake, not the builder file's.
          const fromFlag = (key: PropertyKey) =>
            settingsOf(block.type)?.family !== undefined && typeof key === 'string'
              ? flagThatSet(block[key], engine)
              : undefined;
          const error = zodToDgtError(
            'INVALID_BLOCK_CONFIG',
            parsed.error,
            block,
            (p) => fromFlag(p[0] as PropertyKey) ?? where(['blocks', i, ...p]),
            [],
          );
          error.message = `block "${block.name}" (${block.type}) of builder ${id}:\n${error.message}`;
          throw error;
        }
        warnings.push(
          ...unknownKeyWarnings({
            config: block,
            definition: definitions.get(block.type)!,
            parsed: parsed.data,
            where: (key) => {
              // Point at the file the key was written in: the override's entry when it set it.
              const patches = blockEntries(override?.config);
              const j = patches.findIndex((p) => p?.name === block.name && key in p);
              return j === -1 ? baseWhere(['blocks', i, key]) : override!.where(['blocks', j, key]);
            },
          }),
        );
        blockConfigs.push({
          ...(parsed.data as object),
          name: block.name,
          type: block.type,
        } as BlockConfig);
      }
      for (const [i, entry] of config.postprocessors.entries()) {
        const name = typeof entry === 'string' ? entry : entry.name;
        if (!names.has(name)) {
          throw new DgtError(
            'INVALID_BUILDER_CONFIG',
            `${where(['postprocessors', i])}: postprocessor "${name}" is not a block of builder ${id}; add a block with that name under blocks:.`,
          );
        }
      }

      const planned: PlannedTask[] = [];
      for (const task of group)
        await collect(async () => {
          if (builder.taskSchema) {
            const parsed = validateWithSchema(builder.taskSchema, task.config);
            if (!parsed.success)
              throw zodToDgtError('INVALID_TASK', parsed.error, task.config, task.where);
          }
          const settings = resolveTaskSettings(task, options.runner ?? {}, cwd, env);
          const loader = taskDataloader(task, builder.kind);
          // Before the seeds are read: a misspelled key (`data_pth`) often explains why they
          // cannot be, and the warning then goes with the error.
          warnings.push(...unknownTaskKeyWarnings(task, id, builder), ...loader.warnings);
          warnings.push(...(await mappingKeyWarnings(registry, task)));
          const seeds =
            builder.kind === 'generation'
              ? await loadSeeds(task, registry, builder, {
                  signal: options.signal,
                  warn: (message) => warnings.push(message),
                  fields: loader.dataloader.fields,
                })
              : [];
          if (builder.kind === 'transformation' && !task.config.data) {
            throw new DgtError(
              'INVALID_TASK',
              `${task.where(['data_builder'])}: task "${task.config.task_name}" uses the transformation builder ${id} but has no data: to transform. Add data: {type: default, data_path: your.jsonl}.`,
            );
          }
          await checkTaskFormatter(registry, task);
          planned.push({ loaded: task, settings, seeds });
        });
      if (planned.length < group.length) return;
      builders.push({
        id,
        builder,
        config,
        blockDefinitions: definitions,
        blockConfigs,
        tasks: planned,
      });
    });
  const combined = combineDgtErrors(problems);
  if (combined) throw withWarnings(combined, warnings);
  const outputRoots = new Set(builders.flatMap((b) => b.tasks.map((t) => t.settings.outputRoot)));
  for (const root of outputRoots) await checkWritable(root);
  for (const builder of builders)
    for (const { settings, loaded } of builder.tasks)
      await checkTaskFolder(settings.taskDir, loaded);
  const sharedStateUrl = resolveSharedStateUrl(options.queueUrl, env);
  return {
    cwd,
    env,
    registry,
    builders,
    engine: options.engine ?? {},
    warnings,
    ...(sharedStateUrl ? { sharedStateUrl } : {}),
  };
}

/** Reads a generation task's seeds (inline and from its seed datastore) and checks their shape. */
async function loadSeeds(
  task: LoadedTask,
  registry: Registry,
  builder: Databuilder,
  reading: {
    signal: AbortSignal | undefined;
    warn: (message: string) => void;
    /** The task's `dataloader: fields:` mapping, applied to every seed as it is read. */
    fields: Record<string, string> | undefined;
  },
): Promise<StoredRecord[]> {
  const { signal, warn, fields } = reading;
  let seeds: StoredRecord[] = [...(task.config.seed_examples ?? [])];
  if (task.config.seed_datastore) {
    const store = await openConfiguredStore(
      registry,
      task.config.seed_datastore,
      task,
      'seed_data',
      task.where(['seed_datastore']),
      signal,
      warn,
    );
    for await (const record of store.read()) seeds.push(record);
    await store.close();
  }
  if (fields) {
    const where = task.where(['dataloader', 'fields']);
    seeds = seeds.map((seed, i) =>
      remapFields(
        seed,
        fields,
        `${where}: seed example ${i + 1} of task "${task.config.task_name}"`,
      ),
    );
  }
  if (seeds.length === 0) {
    throw new DgtError(
      'INVALID_TASK',
      `${task.where(['task_name'])}: task "${task.config.task_name}" has no seed examples. Add seed_examples: (a list of examples) or seed_datastore: {type: default, data_path: seeds.jsonl}.`,
    );
  }
  if (builder.inputSchema) {
    for (const [i, seed] of seeds.entries()) {
      const parsed = validateWithSchema(builder.inputSchema, {
        task_name: task.config.task_name,
        ...seed,
      });
      // The builder sees seeds as its schema reads them (e.g. numbers coerced to text).
      if (parsed.success) seeds[i] = parsed.data as StoredRecord;
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new DgtError(
          'INVALID_TASK',
          `${task.where(['seed_examples', i])}: seed example ${i + 1} of task "${task.config.task_name}": ${issue.path.join('.') || 'record'}: ${issue.message}. Builder ${builder.name} expects fields like ${describeShape(builder)}.`,
        );
      }
    }
  }
  return seeds;
}

function describeShape(builder: Databuilder): string {
  const fields = inputFields(builder);
  return fields.length ? fields.join(', ') : 'its input schema';
}

/**
 * Opens a datastore named in a task file (seeds, transformation input), resolving relative paths
 * against the task file's folder.
 */
export async function openConfiguredStore(
  registry: Registry,
  mapping: Record<string, unknown>,
  task: LoadedTask,
  storeName: string,
  where: string,
  signal?: AbortSignal,
  /** Receives what the store reports about the data (see `DatastoreInitContext.warn`). */
  warn?: (message: string) => void,
) {
  const type = typeof mapping.type === 'string' ? mapping.type : 'default';
  const definition = (await registry.load(
    'datastores',
    type,
    where,
  )) as import('../contracts/v1/datastore.js').DatastoreDefinition;
  const parsed = validateWithSchema(definition.configSchema, { ...mapping, type });
  if (!parsed.success) throw zodToDgtError('INVALID_TASK', parsed.error, mapping, () => where);
  return definition.create(parsed.data, {
    outputDir: path.resolve(task.baseDir),
    storeName,
    baseDir: task.baseDir,
    ...(signal ? { signal } : {}),
    ...(warn ? { warn } : {}),
  });
}

/**
 * Fails before any LM call when the output folder cannot be written, without creating anything
 * (so `dgt validate` leaves no trace): the folder, or its nearest existing parent, must be a
 * writable folder.
 */
async function checkWritable(folder: string): Promise<void> {
  let current = folder;
  for (;;) {
    const info = await stat(current).catch((error: NodeJS.ErrnoException) =>
      error.code === 'ENOENT' ? undefined : error,
    );
    if (info instanceof Error) return refuse(folder, info.code ?? String(info));
    if (info) {
      if (!info.isDirectory()) return refuse(folder, `${current} is not a folder`);
      const writable = await access(current, constants.W_OK).then(
        () => true,
        () => false,
      );
      return writable ? undefined : refuse(folder, `${current} is not writable`);
    }
    const parent = path.dirname(current);
    if (parent === current) return refuse(folder, 'no existing parent folder');
    current = parent;
  }
}

/**
 * Warns about files a task's `include:` loaded from outside the task file's folder tree (a path
 * with `..`, an absolute path, a symbolic link out): their content is copied into the task and
 * its task card, which a task file from elsewhere should not do unnoticed.
 */
async function outsideIncludeWarnings(task: LoadedTask): Promise<string[]> {
  if (!task.includes?.length) return [];
  if (task.config.runner_config?.allow_outside_includes === true) return [];
  const root = await realpath(task.baseDir).catch(() => task.baseDir);
  const warnings: string[] = [];
  for (const file of task.includes) {
    const real = await realpath(file.path).catch(() => file.path);
    const relative = path.relative(root, real);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      warnings.push(
        `${task.where(['include'])}: include of ${file.key} reads ${real}, outside the task file's folder ${root}; its content goes into the task and its task card. If that is intended, pass --allow-outside-includes or set runner_config.allow_outside_includes: true.`,
      );
    }
  }
  return warnings;
}

/**
 * A task's output folder, or a folder on its way, that exists as a file cannot be created: say
 * so before the run starts, naming the file.
 */
async function checkTaskFolder(taskDir: string, task: LoadedTask): Promise<void> {
  let current = taskDir;
  while (current !== path.dirname(current)) {
    const info = await stat(current).catch(() => undefined);
    if (info?.isDirectory()) return;
    if (info) {
      throw new DgtError(
        'OUTPUT_PATH',
        `${task.where(['task_name'])}: the output folder of task "${task.config.task_name}" is ${taskDir}, but ${current} exists and is not a folder. Move or delete that file, or choose another --output-dir.`,
      );
    }
    current = path.dirname(current);
  }
}

function refuse(folder: string, why: string): never {
  throw new DgtError(
    'OUTPUT_PATH',
    `cannot write to the output folder ${folder} (${why}). Choose a writable folder with --output-dir or runner_config.output_dir.`,
  );
}

/** The run-wide flag (`--base-url http://…`) whose value a block key holds, if one does. */
function flagThatSet(value: unknown, engine: EngineOverride): string | undefined {
  if (value === undefined) return undefined;
  if (value === engine.baseUrl) return `--base-url ${engine.baseUrl}`;
  if (value === engine.model) return `--model ${engine.model}`;
  if (value === engine.maxConcurrency) return `--max-concurrency ${engine.maxConcurrency}`;
  return undefined;
}

/**
 * A planning error with the warnings found before it appended: a misspelled key is often what
 * caused it ("no seed examples" after `data_pth:`), and the run stops before warnings are printed.
 */
function withWarnings(error: DgtError, warnings: readonly string[]): DgtError {
  if (warnings.length === 0) return error;
  error.message += `\n\nWarnings found while reading the tasks (one may explain this):\n${warnings
    .map((warning) => `  - ${warning}`)
    .join('\n')}`;
  return error;
}
