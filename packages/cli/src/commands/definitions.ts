import { type CommandDefinition, type FlagDefinition, RUN_FLAGS } from '../cli-definition.js';

const HELP = RUN_FLAGS.find((flag) => flag.name === 'help')!;

/** `dgt run`. */
export const RUN_COMMAND: CommandDefinition = {
  name: 'run',
  usage: 'dgt run --task-paths TASK.yaml [options]',
  summary:
    'Runs DGT tasks: generates (or transforms) data until each task has its records, resuming from earlier outputs.',
  flags: RUN_FLAGS,
  examples: ['dgt run --task-paths examples/geography-qa/task.yaml --engine mock'],
};

/**
 * The flags of `dgt validate`: every flag of `dgt run`, so any run command line can be checked
 * by changing its first word; only `--json` reads differently.
 */
export const VALIDATE_FLAGS: readonly FlagDefinition[] = [
  ...RUN_FLAGS.filter((flag) => flag !== HELP).map((flag) =>
    flag.name === 'json'
      ? {
          ...flag,
          help: 'Print the result as one JSON object: {ok, tasks, errors, warnings}; an error about a block also has builder, block and type.',
        }
      : flag,
  ),
  {
    name: 'strict',
    kind: 'boolean',
    help: 'Treat unknown keys (a misspelled task, runner or block key) as errors: exit 2 instead of warning.',
  },
  HELP,
];

/** `dgt validate`. */
export const VALIDATE_COMMAND: CommandDefinition = {
  name: 'validate',
  usage: 'dgt validate TASK.yaml… [options]',
  summary:
    'Checks task files, builder configs, overrides, seeds and blocks as `dgt run` would, without calling a model or writing a file. Every block is created and closed again, so an optional SDK that is missing, a bad URL or price file shows too; a missing API key is a warning (the run would fail). Unknown keys are warned (errors with --strict). Exits 0 when everything is valid, 2 otherwise.',
  flags: VALIDATE_FLAGS,
  positionals: [
    {
      name: 'TASK.yaml…',
      variadic: true,
      help: 'Task files, folders or globs (also accepted as --task-paths).',
    },
  ],
  examples: [
    'dgt validate examples/geography-qa/task.yaml',
    'dgt validate tasks/ --config-path override.yaml --engine openai --model gpt-4o-mini',
    'dgt validate examples/*/task.yaml --strict',
  ],
};

/** The flags of `dgt list`. */
export const LIST_FLAGS: readonly FlagDefinition[] = [
  {
    name: 'kind',
    kind: 'string',
    valueName: 'KIND',
    help: 'Only one kind: builders, blocks, datastores or formatters.',
  },
  RUN_FLAGS.find((flag) => flag.name === 'include-builder-paths')!,
  {
    name: 'json',
    kind: 'boolean',
    help: 'Print {builders, blocks, datastores, formatters} as JSON, each entry {id, package, version}.',
  },
  HELP,
];

/** `dgt list`. */
export const LIST_COMMAND: CommandDefinition = {
  name: 'list',
  usage: 'dgt list [options]',
  summary:
    'Lists every builder, block, datastore and formatter this project can use, with the package and version providing it. Reads package.json metadata only: no plugin code runs.',
  flags: LIST_FLAGS,
  examples: ['dgt list', 'dgt list --kind builders --json'],
};

/** The flags of `dgt init`. */
export const INIT_FLAGS: readonly FlagDefinition[] = [
  {
    name: 'dir',
    kind: 'string',
    valueName: 'DIR',
    help: 'plugin: the folder to create (default: the package name without its scope).',
  },
  {
    name: 'builder',
    kind: 'string',
    valueName: 'ID',
    help: 'task: the data_builder of the new task (default geography_qa); its input fields shape the seed examples.',
  },
  {
    name: 'include-builder-paths',
    kind: 'list',
    valueName: 'DIR…',
    help: 'task: extra folders holding databuilders, as for dgt run.',
  },
  {
    name: 'provider',
    kind: 'boolean',
    help: 'plugin: scaffold an LM provider instead (a block type NAME written with defineLmProvider, tested with the shared provider suite).',
  },
  { name: 'force', kind: 'boolean', help: 'Overwrite files that already exist.' },
  HELP,
];

/** `dgt init`. */
export const INIT_COMMAND: CommandDefinition = {
  name: 'init',
  usage: 'dgt init plugin NAME [--provider] [options] | dgt init task [PATH] [options]',
  summary:
    'Scaffolds a plugin package (a builder, a validator block, a dgt manifest and tests with @dgt/testing), an LM provider package (--provider), or a task file.',
  flags: INIT_FLAGS,
  positionals: [
    { name: 'plugin NAME', help: 'Create a plugin package NAME (e.g. acme-thing or @acme/thing).' },
    {
      name: 'task [PATH]',
      help: 'Create a task file at PATH (default task.yaml; a folder gets task.yaml).',
    },
  ],
  examples: [
    'dgt init plugin @acme/dgt-slogans',
    'dgt init plugin @acme/llm --provider',
    'dgt init task tasks/faq --builder geography_qa',
  ],
};

/** The flags of `dgt cache`; filters and `--all` belong to `clear`. */
export const CACHE_FLAGS: readonly FlagDefinition[] = [
  {
    name: 'cache-dir',
    kind: 'string',
    valueName: 'DIR',
    help: 'The cache folder (default: $DGT_CACHE_DIR, else $XDG_CACHE_HOME/dgt, else ~/.cache/dgt, as dgt run uses).',
  },
  {
    name: 'model',
    kind: 'string',
    valueName: 'ID',
    help: 'clear: only entries of this model id (exactly as dgt cache info lists it).',
  },
  {
    name: 'provider',
    kind: 'string',
    valueName: 'NAME',
    help: 'clear: only entries of this provider (openai, azure-openai, ollama, anthropic, watsonx, gemini, or the name a plugin provider gives).',
  },
  {
    name: 'older-than',
    kind: 'string',
    valueName: 'AGE',
    help: 'clear: only entries written more than AGE ago: a number and a unit, s, m, h, d or w (90m, 12h, 30d).',
  },
  {
    name: 'all',
    kind: 'boolean',
    help: 'clear: remove every entry. Required when no filter is given, so a mistyped filter cannot empty the cache.',
  },
  {
    name: 'json',
    kind: 'boolean',
    help: 'Print the result as one JSON object (info: path, exists, files, bytesOnDisk, entries, oldest, newest, models; clear: removed, remaining, bytesBefore, bytesAfter, reclaimedBytes, compacted).',
  },
  HELP,
];

/** `dgt cache`. */
export const CACHE_COMMAND: CommandDefinition = {
  name: 'cache',
  usage:
    'dgt cache info [options] | dgt cache clear (--model ID | --provider NAME | --older-than AGE | --all) [options]',
  summary:
    'Shows or clears the persistent LM request cache. info tells where it is, its size on disk and its entries per provider and model; clear removes the entries matching its filters (they combine), then compacts the file. Safe while runs use the cache. Never asks for confirmation, so clearing everything takes --all.',
  flags: CACHE_FLAGS,
  positionals: [
    {
      name: 'info',
      help: 'Where the cache is, its size on disk, its entries per provider and model, the oldest and newest. A missing cache is not an error.',
    },
    {
      name: 'clear',
      help: 'Remove the entries matching every filter given (or all of them with --all), and print how many went and the space reclaimed.',
    },
  ],
  examples: [
    'dgt cache info',
    'dgt cache clear --older-than 30d',
    'dgt cache clear --provider openai --model gpt-4o-mini',
    'dgt cache clear --all --cache-dir /tmp/dgt-cache',
  ],
};

const ESTIMATE_FLAG_NAMES = [
  'task-paths',
  'config-path',
  'num-outputs-to-generate',
  'seed-batch-size',
  'machine-batch-size',
  'output-dir',
  'include-builder-paths',
  'engine',
  'model',
  'base-url',
  'batch',
];

/** The flags of `dgt estimate`: the run flags that change what a run would cost. */
export const ESTIMATE_FLAGS: readonly FlagDefinition[] = [
  ...RUN_FLAGS.filter((flag) => ESTIMATE_FLAG_NAMES.includes(flag.name)),
  {
    name: 'json',
    kind: 'boolean',
    help: 'Print {tasks: [{task, models, records, requests, promptTokens, completionTokens, costUsd, batch, basis}], totalUsd} as JSON.',
  },
  HELP,
];

/** The flags of `dgt view`. */
export const VIEW_FLAGS: readonly FlagDefinition[] = [
  {
    name: 'port',
    kind: 'integer',
    valueName: 'N',
    help: 'Port to listen on (default 0: any free port).',
  },
  {
    name: 'host',
    kind: 'string',
    valueName: 'HOST',
    help: 'Interface to listen on (default 127.0.0.1, this machine only). Anything else is reachable from the network: dgt view warns.',
  },
  {
    name: 'no-open',
    kind: 'boolean',
    help: 'Do not open a browser; just print the URL.',
  },
  HELP,
];

/** `dgt estimate`. */
export const ESTIMATE_COMMAND: CommandDefinition = {
  name: 'estimate',
  usage: 'dgt estimate --task-paths TASK.yaml [--model ID] [--num-outputs-to-generate N] [--batch]',
  summary:
    'Prints, per task, the LM requests, tokens and dollars a run is expected to take, before any request: sizes from an earlier run of the task when there is one, else from its description and seeds; prices from the price table (at the batch rate with --batch).',
  flags: ESTIMATE_FLAGS,
  positionals: [{ name: 'TASK.yaml…', variadic: true, help: 'Task files (also --task-paths).' }],
  examples: [
    'dgt estimate --task-paths examples/geography-qa/task.yaml --model gpt-4o-mini --num-outputs-to-generate 1000',
    'dgt estimate --task-paths tasks/ --engine anthropic --model claude-haiku-4-5 --batch',
  ],
};

/** `dgt view`. */
export const VIEW_COMMAND: CommandDefinition = {
  name: 'view',
  usage: 'dgt view [OUTPUT_DIR] [--port N] [--host HOST] [--no-open]',
  summary:
    'Serves a local web app over an output folder: every task with its progress, records with search, facets and provenance, rejects, stats, task cards and logs, live while a run writes; approve, edit or reject records for the next run to apply. Prints one URL (with a session token) and runs until Ctrl-C.',
  flags: VIEW_FLAGS,
  positionals: [
    {
      name: 'OUTPUT_DIR',
      help: 'The output folder of a run (default: output, or $DGT_OUTPUT_DIR).',
    },
  ],
  examples: ['dgt view output', 'dgt view output --port 8080 --no-open'],
};

/** Every command, in the order `dgt --help` lists them. */
const shared = (name: string) => RUN_FLAGS.find((flag) => flag.name === name)!;

/**
 * `dgt worker`: makes the builder calls of a coordinating `dgt run --queue`. Its handler loads
 * BullMQ, so it lives apart (commands/worker.ts) and is imported only when the command runs.
 */
export const WORKER_COMMAND: CommandDefinition = {
  name: 'worker',
  usage: 'dgt worker --queue redis://HOST:PORT [options]',
  summary:
    'Makes the builder calls of a coordinating `dgt run --queue`, on this machine with its plugins, and returns their results. Stop it with SIGTERM or Ctrl-C: the jobs in hand finish first; a second signal abandons them to other workers.',
  flags: [
    {
      name: 'queue',
      kind: 'string',
      valueName: 'URL',
      help: 'The Redis URL of the queue (default $DGT_QUEUE_URL).',
    },
    {
      name: 'concurrency',
      kind: 'integer',
      valueName: 'N',
      help: 'Builder jobs run at once per builder (default 1); LM limits are shared with every process on the queue anyway.',
    },
    {
      name: 'builders',
      kind: 'list',
      valueName: 'ID…',
      help: 'Serve only these builders (default: every builder this project can use).',
    },
    {
      name: 'stalled-after',
      kind: 'number',
      valueName: 'SECONDS',
      help: 'How long a job of a worker that died (or stopped answering) waits before another worker takes it (default 30).',
    },
    {
      name: 'base-url',
      kind: 'string',
      valueName: 'URL',
      help: "Server URL for the jobs' LM blocks, e.g. the vLLM on this machine (default: the URL the run's config gives).",
    },
    shared('include-builder-paths'),
    shared('help'),
  ],
  examples: ['dgt worker --queue redis://10.0.0.5:6379 --concurrency 4'],
};

export const COMMANDS: readonly CommandDefinition[] = [
  RUN_COMMAND,
  VALIDATE_COMMAND,
  ESTIMATE_COMMAND,
  LIST_COMMAND,
  INIT_COMMAND,
  CACHE_COMMAND,
  VIEW_COMMAND,
  WORKER_COMMAND,
];
