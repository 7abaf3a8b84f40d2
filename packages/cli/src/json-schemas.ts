import { builderConfigSchema, taskConfigSchema } from '@dgt/core';
import { z } from 'zod';

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
  description?: string;
  [key: string]: unknown;
};

/** Hover text for the keys of a task file (the zod schemas carry none). */
const TASK_KEYS: Record<string, string> = {
  task_name:
    'Unique name of the task; outputs go to <output_dir>/<task_name>/. May contain "/" for folders.',
  task_description: 'What the data is for, in a sentence.',
  created_by: 'Who wrote the task.',
  data_builder:
    'The databuilder that makes the data, e.g. geography_qa or a plugin id such as acme/slogan (`dgt list` shows them).',
  seed_examples: 'Generation tasks: a few example records the model sees as in-context examples.',
  seed_datastore:
    'Generation tasks: seed examples read from a file, e.g. {type: default, data_path: seeds.jsonl}.',
  data: 'Transformation tasks: the records to transform, a datastore mapping or an inline list.',
  dataloader: 'How the input is read: {type, loop_over}.',
  datastore: 'Where outputs are written (default: JSONL files under the output folder).',
  final_datastore: 'Where final_data is written.',
  formatted_datastore: 'Where formatted_data is written.',
  formatter:
    'Turns final records into a training format (formatted_data.jsonl), e.g. {type: native}.',
  runner_config: 'Run settings; command-line flags win over them.',
  store_name: 'Output folder name of the task (default: task_name).',
  random_seed: 'Seed for example sampling: the same seed issues the same requests.',
  include:
    "DiGiT's include: a mapping of keys to files, globs (docs/*.md) or folders, or lists of them, whose content fills those keys.",
};

const RUNNER_KEYS: Record<string, string> = {
  output_dir: 'Where outputs go (default: output, or $DGT_OUTPUT_DIR).',
  save_formatted_output: "Also write formatted_data.jsonl with the task's formatter.",
  restart_generation: 'Start afresh instead of resuming from earlier outputs.',
  num_outputs_to_generate:
    'Records the task must produce; final_data.jsonl holds exactly this many.',
  seed_batch_size: 'Seed examples per generation attempt.',
  machine_batch_size: 'Earlier outputs per generation attempt, used as in-context examples.',
  transform_batch_size: 'Input records per transformation attempt.',
  max_gen_requests: 'Stop the task after this many builder calls.',
  max_stalled_requests:
    'Stop after this many builder calls in a row that added nothing (default 5).',
  failure_threshold:
    "Stop when more than this fraction of the task's LM requests failed (after at least 20).",
  time_limit: 'Stop the task after this many seconds.',
  max_cost_usd:
    "Cost budget in US dollars: the task stops (status budget) when the estimated cost of its LM requests in this run reaches it, and starts no attempt that the average cost of an attempt says would pass it. Needs the model's price.",
};

const BUILDER_KEYS: Record<string, string> = {
  name: 'The id tasks use in data_builder.',
  blocks:
    'The blocks the builder code calls by name (ctx.blocks.<name>); each has a type (`dgt list` shows them) and its own settings.',
  postprocessors:
    'Blocks run over all accepted records when a task reaches its target (e.g. dedup).',
  metadata: 'Free-form information about the builder.',
};

const BLOCK_KEYS: Record<string, string> = {
  name: 'The name the builder code calls the block by.',
  type: 'The block type: openai, ollama, mock, exact_dedup, a plugin id, … (`dgt list --kind blocks`).',
  input_map: 'Row field → block field, applied before the block runs.',
  output_map: 'Block field → row field, applied to the rows the block returns.',
  filter: 'Validators: drop invalid rows (stored with the reason) instead of marking them.',
};

/** The object branch of a schema that may be `nullish` (an anyOf with null). */
function objectBranch(schema: JsonSchema | undefined): JsonSchema | undefined {
  return schema?.properties ? schema : schema?.anyOf?.find((branch) => branch.properties);
}

function describeKeys(schema: JsonSchema | undefined, descriptions: Record<string, string>) {
  const target = objectBranch(schema);
  if (!target?.properties) return;
  for (const [key, description] of Object.entries(descriptions)) {
    const property = target.properties[key];
    if (property) property.description = description;
  }
}

function toJson(schema: z.ZodType): JsonSchema {
  // `input`: what a user writes (keys with defaults stay optional).
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** JSON Schema of task files, generated from `@dgt/core`'s `taskConfigSchema`. */
export function taskJsonSchema(): JsonSchema {
  const schema = toJson(taskConfigSchema);
  // Leaves are file paths (or lists of them); mappings nest, as in DiGiT's
  // `include: {documents: {name: file.md}}`.
  schema.$defs = {
    ...(schema.$defs as Record<string, unknown> | undefined),
    includeNode: {
      anyOf: [
        { type: 'string' },
        { type: 'array', items: { type: 'string' } },
        { type: 'object', additionalProperties: { $ref: '#/$defs/includeNode' } },
      ],
    },
  };
  schema.properties!.include = {
    type: 'object',
    additionalProperties: { $ref: '#/$defs/includeNode' },
  };
  describeKeys(schema, TASK_KEYS);
  describeKeys(schema.properties!.runner_config, RUNNER_KEYS);
  return {
    $schema: schema.$schema,
    title: 'DGT task file',
    description:
      "A DGT task (DiGiT's task-file format). Keys not listed here belong to the task's databuilder, which validates them when the task runs (dgt validate).",
    ...schema,
  };
}

/** JSON Schema of builder YAML files, generated from `@dgt/core`'s `builderConfigSchema`. */
export function builderJsonSchema(): JsonSchema {
  const schema = toJson(builderConfigSchema);
  describeKeys(schema, BUILDER_KEYS);
  describeKeys(schema.properties!.blocks?.items as JsonSchema | undefined, BLOCK_KEYS);
  return {
    $schema: schema.$schema,
    title: 'DGT databuilder config',
    description:
      "A databuilder's YAML: its name, blocks and postprocessors. Each block's own keys are validated by its type when a task runs (dgt validate).",
    ...schema,
  };
}

/** The schema files shipped in `@dgt/core` and `@dgt/cli` (`schemas/`), by file name. */
export function jsonSchemaFiles(): Record<string, string> {
  return {
    'task.schema.json': `${JSON.stringify(taskJsonSchema(), null, 2)}\n`,
    'builder.schema.json': `${JSON.stringify(builderJsonSchema(), null, 2)}\n`,
  };
}
