import { z } from 'zod';

/** A datastore mapping in a task file (`type`, `data_path`, …); the datastore type validates the rest. */
export const datastoreRefSchema = z.looseObject({
  type: z.string().min(1).default('default'),
});

/** The run settings of a task (DiGiT's `runner_config`). */
export const runnerConfigSchema = z.looseObject({
  output_dir: z.string().optional(),
  save_formatted_output: z.boolean().optional(),
  restart_generation: z.boolean().optional(),
  num_outputs_to_generate: z.int().nonnegative().optional(),
  seed_batch_size: z.int().nonnegative().optional(),
  machine_batch_size: z.int().nonnegative().optional(),
  transform_batch_size: z.int().positive().optional(),
  max_gen_requests: z
    .int()
    .positive()
    .optional()
    .describe('Stop after this many builder calls for the task.'),
  max_stalled_requests: z
    .int()
    .positive()
    .optional()
    .describe('Stop after this many consecutive builder calls that added nothing.'),
  failure_threshold: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe(
      "Stop when more than this fraction of a task's LM requests failed (after at least 20).",
    ),
  time_limit: z.number().positive().optional().describe('Stop the task after this many seconds.'),
  max_cost_usd: z
    .number()
    .positive()
    .optional()
    .describe(
      'Stop the task once the estimated cost of its LM requests in this run reaches this many US dollars; no attempt starts that is expected to pass it.',
    ),
  max_requests_per_record: z
    .number()
    .nonnegative()
    .optional()
    .describe(
      'End the task once its LM requests would pass this many per accepted record, after its first 100 (default 50; 0 for no cap): no attempt starts that is expected to pass it, so a model repeating itself cannot spend forever.',
    ),
  allow_outside_includes: z
    .boolean()
    .optional()
    .describe("`include:` may read files outside the task file's folder tree without a warning."),
  max_reject_store_mb: z
    .number()
    .nonnegative()
    .optional()
    .describe(
      'End the task once its reject stores (`blocks/*.jsonl`) hold this many MB (default 1024; 0 for no cap).',
    ),
  max_concurrent_attempts: z
    .int()
    .positive()
    .optional()
    .describe(
      'How many builder calls may be in flight at once (default 2), so the LM server stays busy while the slowest request of a batch finishes.',
    ),
});

/** Parsed `runner_config`. */
export type RunnerConfig = z.infer<typeof runnerConfigSchema>;

const recordSchema = z.record(z.string(), z.unknown());

/**
 * A task file in DiGiT's format. Keys not listed here are the builder's own and are kept; the
 * builder's `taskSchema` validates them.
 */
export const taskConfigSchema = z.looseObject({
  task_name: z.string().min(1),
  task_description: z.string().optional(),
  created_by: z.string().optional(),
  data_builder: z.string().min(1),
  seed_examples: z.array(recordSchema).nullish(),
  seed_datastore: datastoreRefSchema.nullish(),
  data: z.union([datastoreRefSchema, z.array(recordSchema)]).nullish(),
  dataloader: z
    .looseObject({
      type: z.string().optional().describe('`default` or `simple` (DiGiT): records in order.'),
      loop_over: z
        .boolean()
        .optional()
        .describe('Generation: `false` hands each seed to the builder once (default `true`).'),
      fields: z
        .record(z.string(), z.string())
        .optional()
        .describe(
          'Field renames applied to each seed or input record as it is read (`source: destination`, dot notation; `"*": "*"` keeps the other fields).',
        ),
    })
    .nullish()
    .describe("How the task's seeds or input records are read (DiGiT's `dataloader:`)."),
  datastore: datastoreRefSchema.nullish(),
  final_datastore: datastoreRefSchema.nullish(),
  formatted_datastore: datastoreRefSchema.nullish(),
  formatter: z.looseObject({ type: z.string().min(1) }).nullish(),
  runner_config: runnerConfigSchema.nullish(),
  store_name: z.string().min(1).optional(),
  random_seed: z.union([z.int(), z.string()]).optional(),
});

/** A parsed task configuration. */
export type TaskConfig = z.infer<typeof taskConfigSchema>;

/** The `--config-path` override file: builder and task overrides and extra task files. */
export const overrideFileSchema = z.strictObject({
  databuilders: z.record(z.string(), z.looseObject({})).nullish(),
  tasks: z.record(z.string(), z.looseObject({})).nullish(),
  task_files: z.array(z.string()).nullish(),
});

/** A parsed override file. */
export type OverrideFile = z.infer<typeof overrideFileSchema>;
