import { randomUUID } from 'node:crypto';
import { zodToDgtError } from '../config/zod-issues.js';
import { isFormatterDefinition } from '../contracts/guards.js';
import type { BlockV1, RejectedRow } from '../contracts/v1/block.js';
import type { BoundBlock, Databuilder } from '../contracts/v1/builder.js';
import type { DataPoint } from '../contracts/v1/data-point.js';
import type { Dataloader } from '../contracts/v1/dataloader.js';
import type { DatastoreDefinition, StoredRecord } from '../contracts/v1/datastore.js';
import type { Formatter, FormatterDefinition } from '../contracts/v1/formatter.js';
import { createDatastoreLoader } from '../dataloader/index.js';
import { remapFields, taskDataloader } from '../dataloader/task-dataloader.js';
import { DgtError } from '../errors/dgt-error.js';
import type {
  DgtEvent,
  EventSink,
  LmRequestEvent,
  TaskSummary,
  WarningEvent,
} from '../events/events.js';
import { createRandom } from '../random/seeded-random.js';
import { validateWithSchema } from '../schema/validate-schema.js';
import type { AttemptExecutor } from './attempt-executor.js';
import type { RejectBuffer } from './attempt-scope.js';
import { createBlockFactory } from './block-factory.js';
import { bindBlock } from './bound-block.js';
import { runBuilderLoop } from './builder-loop.js';
import { finishTask } from './finish-task.js';
import {
  openConfiguredStore,
  type PlannedBuilder,
  type PlanOptions,
  planRun,
  type RunPlan,
} from './plan-run.js';
import { redactSecrets, secretValues } from './redact.js';
import { formatUsd } from './stopping-criteria.js';
import { type StoreOpener, TaskRun } from './task-run.js';
import { Waker } from './waker.js';

/** Options of {@link runTasks}: what to run, plus the run's identity, events and cancellation. */
export type RunOptions = PlanOptions & {
  /** Groups runs of one experiment in task cards (`--build-id`). */
  buildId?: string;
  /** Receives every event of the run. */
  onEvent?: EventSink;
  /**
   * Stops the run gracefully: no new attempt starts, attempts in flight finish and their records
   * are kept; the run can resume later.
   */
  signal?: AbortSignal;
  /** Stops at once: requests in flight are cancelled (their batches run again on resume). */
  cancelSignal?: AbortSignal;
  /**
   * Makes the attempts' builder calls elsewhere (`dgt run --queue`); admission then follows its
   * capacity. Task state and every write stay in this process.
   */
  attemptExecutor?: AttemptExecutor;
};

/** What a run returns: its status and a summary per task. */
export type RunResult = {
  status: 'completed' | 'failed' | 'interrupted';
  runId: string;
  buildId: string;
  tasks: TaskSummary[];
};

/**
 * Runs tasks end to end: validates everything first, then runs every builder concurrently until
 * each task reaches its target (or a stopping criterion), writing DiGiT's output layout. Resumes
 * from what is on disk unless `runner.restart` is set.
 *
 * @example
 * const registry = await discoverPlugins({ projectRoot: process.cwd() });
 * const result = await runTasks({ taskPaths: ['task.yaml'], registry, onEvent: console.log });
 */
export async function runTasks(options: RunOptions): Promise<RunResult> {
  const plan = await planRun(options);
  return executePlan(plan, options);
}

/** Runs a validated plan (see {@link planRun}). */
export async function executePlan(
  plan: RunPlan,
  options: Omit<RunOptions, keyof PlanOptions>,
): Promise<RunResult> {
  const started = Date.now();
  const runId = randomUUID();
  const buildId = options.buildId ?? 'default';
  const secrets = secretValues(plan.env);
  const stop = options.signal ?? new AbortController().signal;
  const cancel = options.cancelSignal ?? new AbortController().signal;

  const taskRuns = new Map<string, TaskRun>();
  // Each builder loop waits on its waker; a finished LM request may have freed a slot.
  const wakers: Waker[] = [];
  const emit: EventSink = (event) => {
    if (event.type === 'lm-request') for (const waker of wakers) waker.kick();
    const followUp = routeToTask(event, taskRuns);
    options.onEvent?.(redactSecrets(event, secrets) as DgtEvent);
    if (followUp) emit(followUp);
  };

  const allTasks = plan.builders.flatMap((b) => b.tasks);
  emit({
    type: 'run-start',
    runId,
    buildId,
    tasks: allTasks.map((t) => t.loaded.config.task_name),
    outputDir: allTasks[0]!.settings.outputRoot,
  });
  for (const message of plan.warnings) emit({ type: 'warning', message });

  // Blocks made by other blocks (ctx.createBlock) are closed with the run's own blocks.
  const factory = createBlockFactory(plan, 'run');

  const prepared: {
    planned: PlannedBuilder;
    blocks: BlockV1[];
    bound: Record<string, BoundBlock>;
    tasks: TaskRun[];
    formatter: Map<TaskRun, Formatter | undefined>;
  }[] = [];
  try {
    for (const planned of plan.builders) {
      const blocks: BlockV1[] = [];
      const bound: Record<string, BoundBlock> = {};
      for (const config of planned.blockConfigs) {
        const seen = factory.warnings.length;
        const block = await factory.create(planned, config);
        for (const message of factory.warnings.slice(seen)) emit({ type: 'warning', message });
        blocks.push(block);
        bound[config.name] = bindBlock(block, config, {
          emit,
          signal: cancel,
          stopSignal: stop,
          onReject: (b, rejected, rejects) => writeRejects(b, rejected, taskRuns, emit, rejects),
          taskDir: (name) => taskRuns.get(name)?.settings.taskDir,
        });
      }
      const tasks: TaskRun[] = [];
      const formatter = new Map<TaskRun, Formatter | undefined>();
      for (const { loaded, settings, seeds } of planned.tasks) {
        const random = createRandom(settings.randomSeed).fork(loaded.config.task_name);
        const openStore = outputStoreOpener(plan, loaded);
        const task = new TaskRun(loaded, planned.id, planned.builder.kind, settings, {
          openStore,
          loadSeeds: async () => seeds,
          openInput: () =>
            openInput(plan, loaded, cancel, (message) =>
              emit({ type: 'warning', task: loaded.config.task_name, message }),
            ),
          secrets,
          ...(planned.builder.inputSchema
            ? { checkInput: inputChecker(planned.builder.inputSchema) }
            : {}),
          random,
          provenance: provenanceContext(planned, plan, runId), // provenance
        });
        await task.open();
        taskRuns.set(task.name, task);
        tasks.push(task);
        formatter.set(task, await createFormatter(plan, loaded));
        await writeTaskCard(task, planned, plan, { runId, buildId, secrets }, openStore);
        emit({
          type: 'task-start',
          task: task.name,
          builder: planned.id,
          kind: task.kind,
          ...(task.target !== undefined ? { target: task.target } : {}),
          resumed: task.resumed,
          outputDir: settings.taskDir,
        });
      }
      prepared.push({ planned, blocks, bound, tasks, formatter });
    }

    const announceStop = () => emit({ type: 'run-stopping' });
    if (stop.aborted) announceStop();
    else stop.addEventListener('abort', announceStop, { once: true });
    await Promise.all(
      prepared.map(async ({ planned, blocks, bound, tasks, formatter }) => {
        const waker = new Waker();
        wakers.push(waker);
        const reporting = blocks.filter((block) => typeof block.capacity === 'function');
        const caps = tasks
          .map((task) => task.settings.maxConcurrentAttempts)
          .filter((cap) => cap !== undefined);
        const executor = options.attemptExecutor;
        await runBuilderLoop({
          builderId: planned.id,
          builder: planned.builder,
          config: planned.config,
          blocks: bound,
          tasks,
          random: createRandom(tasks[0]!.settings.randomSeed).fork(planned.id),
          signal: stop,
          cancelSignal: cancel,
          emit,
          waker,
          ...(executor
            ? {
                capacity: () => [executor.capacity(planned.id)],
                remote: {
                  executor,
                  builderId: planned.id,
                  config: { ...planned.config, blocks: planned.blockConfigs },
                  randomSeed: tasks[0]!.settings.randomSeed,
                },
              }
            : reporting.length > 0
              ? { capacity: () => reporting.map((block) => block.capacity!()) }
              : {}),
          ...(caps.length > 0 ? { maxAttemptsInFlight: Math.max(...caps) } : {}),
        });
        for (const task of tasks) {
          if (task.status !== 'interrupted')
            await finishTask(task, outputStoreOpener(plan, task.task), formatter.get(task));
          emit({ type: 'task-end', ...task.summary() });
          await task.close();
        }
      }),
    );
  } finally {
    for (const { blocks } of prepared) for (const block of blocks) await block.close?.();
    await factory.closeInner();
    for (const task of taskRuns.values()) await task.close().catch(() => undefined);
  }

  const summaries = [...taskRuns.values()].map((task) => task.summary());
  const status = summaries.some((s) => s.status === 'interrupted')
    ? 'interrupted'
    : summaries.every((s) => s.status === 'completed')
      ? 'completed'
      : 'failed';
  emit({ type: 'run-end', status, durationMs: Date.now() - started, tasks: summaries });
  return { status, runId, buildId, tasks: summaries };
}

/**
 * Counts an event in its task (LM usage, logs). Returns an event to emit after it: the warning
 * that a budgeted task's model has no price.
 */
function routeToTask(event: DgtEvent, tasks: Map<string, TaskRun>): DgtEvent | undefined {
  if (event.type === 'lm-request') {
    const task = event.task ? tasks.get(event.task) : undefined;
    if (!task) return undefined;
    task.recordLmRequest(event);
    return unpricedWarning(event, task);
  }
  if (event.type === 'attempt') {
    for (const name of event.tasks) tasks.get(name)?.log(event);
    return undefined;
  }
  if ('task' in event && typeof event.task === 'string') tasks.get(event.task)?.log(event);
  return undefined;
}

/**
 * The first request of a budgeted task that was made (not a cache hit, which costs nothing) and
 * came back without a price turns the budget off for the task: spending cannot be estimated, and
 * stopping on a partial sum would be a guess. Failed requests carry no price either way.
 */
function unpricedWarning(event: LmRequestEvent, task: TaskRun): WarningEvent | undefined {
  if (!event.ok || event.cached || event.costUsd !== undefined) return undefined;
  if (!Number.isFinite(task.settings.maxCostUsd) || !task.markPriceUnknown()) return undefined;
  return {
    type: 'warning',
    task: task.name,
    message: `block ${event.block} has no price for model "${event.model}" (${event.provider}), so max_cost_usd (${formatUsd(task.settings.maxCostUsd)}) cannot be enforced for this task: it runs on without a budget. Give the block a pricing: { input_per_million, output_per_million } key (0 for a free local model), or list the model in a DGT_PRICES_FILE.`,
  };
}

async function writeRejects(
  block: BlockV1,
  rejected: RejectedRow[],
  tasks: Map<string, TaskRun>,
  emit: EventSink,
  rejects: RejectBuffer | undefined,
): Promise<void> {
  const byTask = new Map<TaskRun, RejectedRow[]>();
  for (const entry of rejected) {
    const task = tasks.get(String(entry.row.task_name));
    if (!task) {
      emit({
        type: 'warning',
        message: `block ${block.name} rejected a row without a known task_name; it is not stored`,
      });
      continue;
    }
    byTask.set(task, [...(byTask.get(task) ?? []), entry]);
  }
  for (const [task, rows] of byTask) await task.writeRejects(block.name, rows, rejects);
}

function outputStoreOpener(plan: RunPlan, task: TaskRun['task']): StoreOpener {
  return async (mapping, storeName) => {
    // Output stores live under the task's folder whatever the mapping says about paths.
    const {
      data_path: _path,
      store_name: _name,
      ...rest
    } = (mapping ?? {}) as Record<string, unknown>;
    const type = typeof rest.type === 'string' ? rest.type : 'default';
    const where = task.where(['datastore']);
    const definition = (await plan.registry.load('datastores', type, where)) as DatastoreDefinition;
    const parsed = validateWithSchema(definition.configSchema, { ...rest, type });
    if (!parsed.success) throw zodToDgtError('INVALID_TASK', parsed.error, rest, () => where);
    const settings = planSettings(plan, task);
    return definition.create(parsed.data, {
      outputDir: settings.outputRoot,
      storeName,
      baseDir: task.baseDir,
    });
  };
}

function planSettings(plan: RunPlan, task: TaskRun['task']) {
  for (const builder of plan.builders)
    for (const t of builder.tasks) if (t.loaded === task) return t.settings;
  throw new Error(`task ${task.config.task_name} is not part of the plan`);
}

async function openInput(
  plan: RunPlan,
  task: TaskRun['task'],
  signal: AbortSignal,
  warn: (message: string) => void,
): Promise<Dataloader> {
  const data = task.config.data;
  const { fields } = taskDataloader(task, 'transformation').dataloader;
  let loader: Dataloader;
  if (Array.isArray(data)) loader = arrayLoader(data);
  else {
    const store = await openConfiguredStore(
      plan.registry,
      data as Record<string, unknown>,
      task,
      'data_input',
      task.where(['data']),
      signal,
      warn,
    );
    loader = createDatastoreLoader(store, { loop: false });
  }
  return fields ? remappingLoader(loader, fields, task) : loader;
}

/** A loader whose records come out as the task's `dataloader: fields:` maps them. */
function remappingLoader(
  loader: Dataloader,
  fields: Record<string, string>,
  task: TaskRun['task'],
): Dataloader {
  const where = task.where(['dataloader', 'fields']);
  return {
    ...loader,
    next: async () => {
      // The position before the read names the record (1-based) if its mapping fails.
      const position = Number(loader.getState().position ?? 0);
      const record = await loader.next();
      return record === undefined
        ? undefined
        : remapFields(
            record,
            fields,
            `${where}: input record ${position + 1} of task "${task.config.task_name}"`,
          );
    },
  };
}

function arrayLoader(records: StoredRecord[]): Dataloader {
  let position = 0;
  return {
    specificationVersion: 'v1',
    kind: 'dataloader',
    next: async () => records[position++],
    getState: () => ({ position }),
    setState: (state) => {
      position = Number(state.position ?? 0);
    },
  };
}

async function createFormatter(
  plan: RunPlan,
  task: TaskRun['task'],
): Promise<Formatter | undefined> {
  const mapping = task.config.formatter;
  if (!mapping) return undefined;
  const where = task.where(['formatter', 'type']);
  const definition = (await plan.registry.load(
    'formatters',
    mapping.type,
    where,
  )) as FormatterDefinition;
  if (!isFormatterDefinition(definition))
    throw new DgtError(
      'INVALID_PLUGIN',
      `${where}: formatter "${mapping.type}" is not a formatter definition.`,
    );
  const parsed = validateWithSchema(definition.configSchema, mapping);
  if (!parsed.success)
    throw zodToDgtError('INVALID_TASK', parsed.error, mapping, (p) =>
      task.where(['formatter', ...p]),
    );
  return definition.create(parsed.data);
}

async function writeTaskCard(
  task: TaskRun,
  planned: PlannedBuilder,
  plan: RunPlan,
  ids: { runId: string; buildId: string; secrets: ReadonlySet<string> },
  openStore: StoreOpener,
): Promise<void> {
  const card = {
    task_name: task.name,
    task_description: task.task.config.task_description,
    created_by: task.task.config.created_by,
    data_builder: planned.id,
    build_id: ids.buildId,
    run_id: ids.runId,
    time: new Date().toISOString(),
    task_file: task.task.file,
    ...taskConfigForCard(task.task),
    builder_config: { ...planned.config, blocks: planned.blockConfigs },
    settings: { ...task.settings },
    cwd: plan.cwd,
  };
  const store = await openStore(task.task.config.datastore, `${task.settings.storeName}/task_card`);
  await store.append([redactSecrets(card, ids.secrets) as StoredRecord]);
  await store.close();
}

/** Included content up to this size is copied into the task card; above it, only referenced. */
export const CARD_INLINE_INCLUDE_BYTES = 256 * 1024;

/**
 * The task's config for its card, with the files `include:` loaded listed (path, size, SHA-256).
 * When they hold more than {@link CARD_INLINE_INCLUDE_BYTES}, the card keeps the task as written
 * (`include:` paths, not their content): a 50 MB document must not be copied into every card.
 */
function taskConfigForCard(task: TaskRun['task']): Record<string, unknown> {
  const includes = task.includes ?? [];
  if (includes.length === 0) return { task_config: task.config };
  const bytes = includes.reduce((sum, file) => sum + file.bytes, 0);
  return {
    task_config:
      bytes > CARD_INLINE_INCLUDE_BYTES && task.unincluded ? task.unincluded : task.config,
    included_files: includes,
  };
}

/** Versions and ids each record's provenance entry names (see `provenance.jsonl`). */
function provenanceContext(planned: PlannedBuilder, plan: RunPlan, runId: string) {
  const version = (kind: 'builders' | 'blocks', id: string) =>
    plan.registry.find(kind, id)?.version ?? 'unknown';
  return {
    runId,
    builder: { id: planned.id, version: version('builders', planned.id) },
    blocks: Object.fromEntries(
      planned.blockConfigs.map((c) => [c.name, `${c.type}@${version('blocks', c.type)}`]),
    ),
  };
}

/** Checks transformation inputs against a builder's input schema, with a one-line reason. */
function inputChecker(schema: NonNullable<Databuilder['inputSchema']>) {
  return (record: DataPoint): { record: DataPoint } | { reason: string } => {
    const parsed = validateWithSchema(schema, record);
    if (parsed.success) return { record: parsed.data as DataPoint };
    const issue = parsed.error.issues[0]!;
    return { reason: `${issue.path.join('.') || 'record'}: ${issue.message}` };
  };
}
