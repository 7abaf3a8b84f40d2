/** A command-line flag: its name, value kind and help text. The single source of `--help`. */
export type FlagDefinition = {
  name: string;
  /**
   * `boolean` flags take no value; `integer` a whole number ≥ 0; `number` any number ≥ 0 (an
   * amount such as dollars); `list` one or more values (DiGiT style).
   */
  kind: 'boolean' | 'string' | 'integer' | 'number' | 'list';
  help: string;
  valueName?: string;
  aliases?: string[];
};

/** A positional argument of a command, for `--help`. */
export type PositionalDefinition = {
  name: string;
  help: string;
  /** Takes any number of values (task files). */
  variadic?: boolean;
};

/** A `dgt` command: its usage line, summary, flags and arguments. The single source of its `--help`. */
export type CommandDefinition = {
  name: string;
  usage: string;
  summary: string;
  flags: readonly FlagDefinition[];
  positionals?: readonly PositionalDefinition[];
  /** Example command lines shown under `--help`. */
  examples?: readonly string[];
};

/** The flags of `dgt run`, DiGiT's first, then DGT's own. */
export const RUN_FLAGS: readonly FlagDefinition[] = [
  {
    name: 'task-paths',
    kind: 'list',
    valueName: 'PATH…',
    help: 'Task files, folders of task.yaml files, or globs to run.',
  },
  {
    name: 'config-path',
    kind: 'string',
    valueName: 'FILE',
    help: 'Override file with databuilders:, tasks: and task_files: (blocks merged by name).',
  },
  {
    name: 'num-outputs-to-generate',
    kind: 'integer',
    valueName: 'N',
    help: 'Records each generation task must produce (final_data.jsonl holds exactly N).',
  },
  {
    name: 'seed-batch-size',
    kind: 'integer',
    valueName: 'N',
    help: 'Seed examples per generation attempt.',
  },
  {
    name: 'machine-batch-size',
    kind: 'integer',
    valueName: 'N',
    help: 'Earlier outputs per generation attempt, used as in-context examples.',
  },
  {
    name: 'restart',
    kind: 'boolean',
    aliases: ['restart-generation'],
    help: 'Start afresh: discard earlier outputs of the tasks instead of resuming.',
  },
  {
    name: 'output-dir',
    kind: 'string',
    valueName: 'DIR',
    help: 'Where outputs go (default: output, or $DGT_OUTPUT_DIR).',
  },
  {
    name: 'build-id',
    kind: 'string',
    valueName: 'ID',
    help: 'Groups runs of one experiment in the task cards.',
  },
  {
    name: 'include-builder-paths',
    kind: 'list',
    valueName: 'DIR…',
    help: 'Extra folders holding databuilders (a builder YAML with a .js/.mjs module beside it).',
  },
  {
    name: 'save-formatted-output',
    kind: 'boolean',
    help: "Also write formatted_data.jsonl with each task's formatter.",
  },
  {
    name: 'max-gen-requests',
    kind: 'integer',
    valueName: 'N',
    help: 'Stop a task after N builder calls.',
  },
  {
    name: 'max-stalled-requests',
    kind: 'integer',
    valueName: 'N',
    help: 'Stop a task after N builder calls in a row that added nothing (default 5).',
  },
  {
    name: 'max-cost',
    kind: 'number',
    valueName: 'USD',
    help: "Cost budget per task in US dollars (runner_config.max_cost_usd): a task stops (status budget) before an attempt would take its estimated LM cost past it. Needs the model's price (the built-in table, a block's pricing key or DGT_PRICES_FILE).",
  },
  {
    name: 'engine',
    kind: 'string',
    valueName: 'TYPE',
    help: 'Run every LM block on this provider: openai, ollama, mock, … (per-block --config-path overrides still win).',
  },
  { name: 'model', kind: 'string', valueName: 'ID', help: 'Model id for every LM block.' },
  {
    name: 'base-url',
    kind: 'string',
    valueName: 'URL',
    help: 'Server URL for every LM block (an OpenAI-compatible server, an Ollama host).',
  },
  {
    name: 'max-concurrency',
    kind: 'integer',
    valueName: 'N',
    help: "Requests each LM block keeps in flight at once (its max_concurrency; a block's setting in a --config-path override still wins): with the server's rate limits, this sets the run's pace.",
  },
  {
    name: 'no-cache',
    kind: 'boolean',
    help: 'Make every LM request afresh: neither read nor write the request cache.',
  },
  {
    name: 'json',
    kind: 'boolean',
    help: 'Print events as NDJSON on stdout instead of progress and a summary.',
  },
  { name: 'help', kind: 'boolean', aliases: ['h'], help: 'Show this help.' },
];
