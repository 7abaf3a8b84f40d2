import { createHash } from 'node:crypto';
import {
  type AttemptScope,
  type BlockConfig,
  type BlockInitContext,
  type BlockV1,
  type BoundBlock,
  bindBlock,
  blocksForAttempt,
  brandBlock,
  createRandom,
  type Databuilder,
  DgtError,
  type DgtEvent,
  isBlock,
  isBlockDefinition,
  isDatabuilder,
  type Registry,
  type RejectedRow,
  sampleExamples,
  validateWithSchema,
} from '@dgt/core';
import { BUILDER_JOB_VERSION, type BuilderJob, type BuilderJobResult } from './builder-job.js';

/** Runs builder jobs in this process: blocks are created once per builder config and reused. */
export type JobExecutor = {
  /** Runs one job's builder call; rejects when the builder throws or `signal` aborts. */
  run(job: BuilderJob, signal: AbortSignal): Promise<BuilderJobResult>;
  /** Closes every block created so far. */
  close(): Promise<void>;
};

export type JobExecutorOptions = {
  /** The plugins of this machine (`discoverPlugins`): they must provide the jobs' builders. */
  registry: Registry;
  env: Record<string, string | undefined>;
  /** Folder for state blocks keep beside their outputs (`BlockInitContext.outputDir`). */
  workDir: string;
  /** The queue's Redis URL, handed to blocks so their limits and cache are the run's. */
  sharedStateUrl: string;
  /**
   * Server URL for every LM block of the jobs (`dgt worker --base-url`): each worker can use the
   * LM server next to it (its own vLLM on its GPU) whatever the coordinator's config says.
   */
  lmBaseUrl?: string;
};

type Prepared = { builder: Databuilder; blocks: { block: BlockV1; config: BlockConfig }[] };

/**
 * Creates the executor of a worker process. A job's blocks are created from the block configs it
 * carries (validated again by each block type's schema), with `purpose: 'run'` and the queue's
 * URL as `sharedStateUrl`, so limits and the request cache hold across every worker.
 */
export function createJobExecutor(options: JobExecutorOptions): JobExecutor {
  const { registry, env, workDir, sharedStateUrl, lmBaseUrl } = options;
  const prepared = new Map<string, Promise<Prepared>>();
  const inner: BlockV1[] = [];

  async function blockDefinition(type: string, where: string) {
    const definition = await registry.load('blocks', type, where);
    if (!isBlockDefinition(definition)) {
      throw new DgtError(
        'INVALID_PLUGIN',
        `${where}: block type "${type}" does not export a block definition.`,
      );
    }
    return definition;
  }

  async function createBlock(
    config: { type: string; name?: string; [key: string]: unknown },
    where: string,
  ): Promise<BlockV1> {
    const definition = await blockDefinition(config.type, where);
    // `dgt worker --base-url`: the block's own settings say what a base URL means for it.
    const name = config.name ?? config.type;
    const apply = definition.settings?.applyRunSettings;
    const entry = { ...config, name };
    const local = lmBaseUrl && apply ? apply(entry, { baseUrl: lmBaseUrl }, 'run') : entry;
    const parsed = validateWithSchema(definition.configSchema, local);
    if (!parsed.success) {
      throw new DgtError(
        'INVALID_BLOCK_CONFIG',
        `${where}: ${parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(block)'}: ${i.message}`).join('; ')}`,
      );
    }
    const block = brandBlock(
      await definition.create({ ...(parsed.data as object), name, type: config.type }, initContext),
      { role: definition.role, type: config.type, name },
    );
    if (!isBlock(block))
      throw new DgtError(
        'INVALID_PLUGIN',
        `${where}: block type "${config.type}" created something that is not a block.`,
      );
    return block;
  }

  const initContext: BlockInitContext = {
    outputDir: workDir,
    env,
    purpose: 'run',
    sharedStateUrl,
    createBlock: async (config) => {
      const block = await createBlock(config, `block config "${config.name ?? config.type}"`);
      inner.push(block);
      return block;
    },
  };

  async function prepare(job: BuilderJob): Promise<Prepared> {
    const where = `job of builder "${job.builderId}"`;
    const builder = await registry.load('builders', job.builderId, where);
    if (!isDatabuilder(builder)) {
      throw new DgtError('INVALID_PLUGIN', `${where}: "${job.builderId}" is not a databuilder.`);
    }
    const blocks: Prepared['blocks'] = [];
    for (const config of job.config.blocks as BlockConfig[]) {
      blocks.push({
        block: await createBlock(config, `${where}, block "${config.name}"`),
        config,
      });
    }
    return { builder, blocks };
  }

  /** The builder and blocks for a job, created on first use of its builder config. */
  function preparedFor(job: BuilderJob): Promise<Prepared> {
    const key = `${job.builderId}#${createHash('sha256').update(JSON.stringify(job.config)).digest('hex')}`;
    let entry = prepared.get(key);
    if (!entry) {
      entry = prepare(job);
      prepared.set(key, entry);
      // A failed creation is not remembered: the next job tries again.
      entry.catch(() => prepared.delete(key));
    }
    return entry;
  }

  return {
    async run(job, signal) {
      if (job.version !== BUILDER_JOB_VERSION) {
        throw new DgtError(
          'USAGE',
          `a job of version ${String(job.version)} reached a worker that knows version ${BUILDER_JOB_VERSION}: run the same DGT version on the coordinator and the workers.`,
        );
      }
      const { builder, blocks } = await preparedFor(job);
      const events: DgtEvent[] = [];
      const emit = (event: DgtEvent) => {
        events.push(event);
      };
      // The coordinator's unit id: LM blocks number repeated prompts within it, so cache keys (and
      // so answers on a rerun) do not depend on which worker makes the call.
      const scope: AttemptScope = { rejects: [], costs: new Map(), unit: { id: job.unit } };
      const onReject = async (block: BlockV1, rejected: RejectedRow[]) => {
        for (const { row, reason } of rejected) {
          const task = String(row.task_name);
          let entry = scope.rejects.find((r) => r.task === task && r.block === block.name);
          if (!entry) {
            entry = { task, block: block.name, rows: [] };
            scope.rejects.push(entry);
          }
          entry.rows.push({ row, reason });
        }
      };
      // Bound per job, so each job's events and rejects are its own while jobs run at once.
      const bound: Record<string, BoundBlock> = {};
      for (const { block, config } of blocks) {
        bound[config.name] = bindBlock(block, config, {
          emit,
          signal,
          onReject,
          // Task folders are on the coordinator's machine: per-task block state has no place here.
          taskDir: () => undefined,
        });
      }
      const random = createRandom(job.randomSeed)
        .fork(job.builderId)
        .fork(`attempt#${job.attempt}`);
      const outputs = await builder.call(job.batch, {
        blocks: blocksForAttempt(bound, scope),
        config: job.config,
        random,
        attempt: job.attempt,
        signal,
        emit,
        tasks: job.tasks,
        taskLocations: job.taskLocations,
        sampleExamples(taskName, k, sampling) {
          const pool = job.examples[taskName];
          return pool ? sampleExamples(random, pool, k, sampling?.seedFraction) : [];
        },
      });
      return {
        outputs,
        rejects: scope.rejects,
        costs: Object.fromEntries(scope.costs),
        events,
      };
    },
    async close() {
      const all = await Promise.allSettled(prepared.values());
      prepared.clear();
      for (const result of all) {
        if (result.status !== 'fulfilled') continue;
        for (const { block } of result.value.blocks) await block.close?.();
      }
      for (const block of inner.splice(0)) await block.close?.();
    },
  };
}
