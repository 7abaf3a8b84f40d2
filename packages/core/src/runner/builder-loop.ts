import type { BuilderConfig } from '../config/builder-schema.js';
import type { BoundBlock, Databuilder, GenerationContext } from '../contracts/v1/builder.js';
import type { DataPoint } from '../contracts/v1/data-point.js';
import { isDgtError } from '../errors/dgt-error.js';
import type { EventSink } from '../events/events.js';
import type { RandomSource } from '../random/seeded-random.js';
import { stopReason } from './stopping-criteria.js';
import type { TaskRun } from './task-run.js';

/** Everything one builder's loop works with. */
export type BuilderLoopInput = {
  builderId: string;
  builder: Databuilder;
  config: BuilderConfig;
  blocks: Record<string, BoundBlock>;
  tasks: TaskRun[];
  random: RandomSource;
  signal: AbortSignal;
  emit: EventSink;
};

/**
 * Runs one builder until all its tasks have ended: each attempt pools a batch from every active
 * task, calls the builder once, routes the outputs back by `task_name`, appends them durably,
 * saves the loader positions, then applies postprocessors and stopping criteria.
 */
export async function runBuilderLoop(input: BuilderLoopInput): Promise<void> {
  const { builder, tasks, signal, emit } = input;
  const byName = new Map(tasks.map((task) => [task.name, task]));
  let attempt = Math.max(0, ...tasks.map((task) => task.attempts));

  // A resumed generation task may already hold its target.
  for (const task of tasks) if (task.kind === 'generation') await settleIfComplete(task, input);

  while (!signal.aborted) {
    const active = tasks.filter((task) => task.active);
    if (active.length === 0) break;
    attempt++;

    const batch: DataPoint[] = [];
    for (const task of active) batch.push(...(await takeBatch(task, input, attempt)));
    if (batch.length === 0) {
      for (const task of active) {
        if (task.kind === 'transformation') task.end('completed');
        else
          task.end(
            'failed',
            'no seed examples to generate from: add seed_examples or a seed_datastore to the task',
          );
      }
      break;
    }

    const started = Date.now();
    let outputs: DataPoint[];
    try {
      outputs = await builder.call(batch, buildContext(input, attempt, active));
    } catch (error) {
      if (signal.aborted) break;
      const message = isDgtError(error)
        ? error.message
        : `${(error as Error).message ?? String(error)}`;
      for (const task of active) {
        task.log({
          type: 'warning',
          task: task.name,
          message: `builder ${input.builderId} threw: ${(error as Error).stack ?? message}`,
        });
        task.end('failed', `the builder ${input.builderId} failed: ${message}`);
      }
      break;
    }
    emit({
      type: 'attempt',
      builder: input.builderId,
      attempt,
      tasks: active.map((task) => task.name),
      inputs: batch.length,
      outputs: outputs.length,
      durationMs: Date.now() - started,
    });

    const routed = new Map<TaskRun, DataPoint[]>();
    for (const output of outputs) {
      const task = byName.get(String(output?.task_name));
      if (!task?.active) {
        emit({
          type: 'warning',
          message: `builder ${input.builderId} returned a record for unknown task "${String(output?.task_name)}"; it was dropped`,
        });
        continue;
      }
      routed.set(task, [...(routed.get(task) ?? []), output]);
    }

    for (const task of active) {
      task.attempts = attempt;
      const added = await task.accept(routed.get(task) ?? []);
      await task.saveState();
      task.stalled = added > 0 ? 0 : task.stalled + 1;
      if (added > 0) {
        emit({
          type: 'records',
          task: task.name,
          added,
          accepted: task.dataCount,
          ...(task.target !== undefined ? { target: task.target } : {}),
        });
      }
      if (task.kind === 'generation') await settleIfComplete(task, input);
      else if (task.inputExhausted) task.end('completed');
      if (task.active) {
        const stop = stopReason(
          {
            attempts: task.attempts,
            stalled: task.stalled,
            lmRequests: task.lmRequests,
            lmFailures: task.lmFailures,
            elapsedMs: task.elapsedMs,
            ...(task.lastLmError ? { lastLmError: task.lastLmError } : {}),
          },
          task.settings,
        );
        if (stop) task.end(stop.status, stop.reason);
      }
      await task.flushLogs();
    }
  }
  for (const task of tasks) if (task.active) task.end('interrupted', 'the run was stopped');
}

async function takeBatch(
  task: TaskRun,
  input: BuilderLoopInput,
  attempt: number,
): Promise<DataPoint[]> {
  const { settings } = task;
  if (task.kind === 'transformation') return task.nextInputs(settings.transformBatchSize);
  // Never ask for more than the task still needs: no wasted LM call near the end.
  const remaining = Math.max(1, settings.target - task.dataCount);
  const seeds = task.nextSeeds(Math.min(settings.seedBatchSize, remaining));
  const machineCount = Math.min(settings.machineBatchSize, Math.max(0, remaining - seeds.length));
  const machine = input.random
    .fork(`${task.name}#machine#${attempt}`)
    .sample(task.accepted, machineCount);
  return [...seeds, ...machine.map((record) => ({ ...record }))];
}

/**
 * When a generation task holds its target, runs the postprocessors over all its records; if
 * they removed some and the target is no longer met, the task goes on generating.
 */
async function settleIfComplete(task: TaskRun, input: BuilderLoopInput): Promise<void> {
  if (!task.active || task.dataCount < task.settings.target) return;
  const postprocessors = input.config.postprocessors ?? [];
  let records = task.accepted;
  const before = records.length;
  for (const entry of postprocessors) {
    const { name, ...options } = typeof entry === 'string' ? { name: entry } : entry;
    const block = input.blocks[name]!;
    const count = records.length;
    records = (await block(
      records.map((record) => ({ ...record })),
      options,
    )) as DataPoint[];
    input.emit({
      type: 'postprocess',
      task: task.name,
      block: name,
      before: count,
      after: records.length,
    });
  }
  if (records.length < before) await task.replaceData(records);
  if (task.dataCount >= task.settings.target) task.end('completed');
}

function buildContext(
  input: BuilderLoopInput,
  attempt: number,
  active: TaskRun[],
): GenerationContext {
  const random = input.random.fork(`attempt#${attempt}`);
  const byName = new Map(active.map((task) => [task.name, task]));
  return {
    blocks: input.blocks,
    config: input.config,
    random,
    attempt,
    signal: input.signal,
    emit: input.emit,
    tasks: Object.fromEntries(
      active.map((task) => [task.name, task.task.config as Record<string, unknown>]),
    ),
    sampleExamples(taskName, k, options) {
      const task = byName.get(taskName);
      if (task?.kind !== 'generation') return [];
      const { seedBatchSize, machineBatchSize } = task.settings;
      const fraction =
        options?.seedFraction ??
        (task.accepted.length === 0
          ? 1
          : seedBatchSize / Math.max(1, seedBatchSize + machineBatchSize));
      const fromSeeds = random.sample(task.seeds, Math.round(k * fraction));
      const fromMachine = random.sample(task.accepted, k - fromSeeds.length);
      const picked = [...fromSeeds, ...fromMachine];
      // Top up from the seeds when too few outputs exist yet.
      if (picked.length < k)
        picked.push(
          ...random.sample(
            task.seeds.filter((s) => !fromSeeds.includes(s)),
            k - picked.length,
          ),
        );
      return random.shuffle(picked).map((record) => ({ ...record }));
    },
  };
}
