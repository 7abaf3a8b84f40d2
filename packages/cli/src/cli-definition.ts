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

/**
 * DiGiT flags with no counterpart in DGT: accepted so DiGiT command lines run unchanged, each
 * answered by a note saying what DGT does instead (see {@link DIGIT_FLAG_NOTES}).
 */
const DIGIT_ONLY_FLAGS: readonly FlagDefinition[] = [
  {
    name: 'include-namespaces',
    kind: 'list',
    valueName: 'NS…',
    aliases: ['include-ns'],
    help: "DiGiT's builder namespaces; DGT has none to pick (every installed builder is available), so it only prints a note.",
  },
  {
    name: 'include-bp',
    kind: 'list',
    valueName: 'DIR…',
    help: "DiGiT's folders of Python databuilders, which DGT cannot load; prints a note (use --include-builder-paths with JavaScript builders).",
  },
  {
    name: 'ray-address',
    kind: 'string',
    valueName: 'ADDR',
    help: 'DiGiT runs on Ray; DGT does not, so it only prints a note (one DGT process keeps the LM server busy on its own).',
  },
];

/** What DGT says when a DiGiT-only flag is given, by flag name. */
export const DIGIT_FLAG_NOTES: Readonly<Record<string, string>> = {
  'include-namespaces':
    'note: --include-namespaces has no effect: DGT has no builder namespaces; every builder of the installed plugin packages and of --include-builder-paths is available (dgt list shows them).',
  'include-bp':
    'note: --include-bp is ignored: it names folders of Python databuilders, which DGT cannot load. DGT loads builders from plugin packages (dgt list) and from --include-builder-paths folders holding a builder YAML with a .js/.mjs module.',
  'ray-address':
    'note: --ray-address is ignored: DGT does not use Ray. One process keeps the LM server saturated (set max_concurrency, requests_per_minute on the LM blocks); nothing else is needed to scale a run.',
};

/** The flags of `dgt run`, DiGiT's first, then DGT's own. */
export const RUN_FLAGS: readonly FlagDefinition[] = [
  {
    name: 'task-paths',
    kind: 'list',
    valueName: 'PATH…',
    aliases: ['data-paths'],
    help: "Task files, folders of task.yaml files, or globs to run (DiGiT's older --data-paths too).",
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
    name: 'num-prompt-instructions',
    kind: 'integer',
    valueName: 'N',
    help: "Examples shown per prompt, for builders that read num_prompt_instructions (instructlab/simple); a task file's own key wins.",
  },
  {
    name: 'prompt-file-path',
    kind: 'string',
    valueName: 'FILE',
    help: "Prompt template used instead of the builder's own, for builders that read prompt_file_path (instructlab/simple).",
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
    help: "Cost budget per task in US dollars (runner_config.max_cost_usd): a task stops (status budget) before an attempt would take its estimated LM cost past it; with --batch, a batch whose worst-case cost could pass it is not submitted. Needs the model's price (the built-in table, a block's pricing key or DGT_PRICES_FILE).",
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
    name: 'allow-outside-includes',
    kind: 'boolean',
    help: "Let include: read files outside the task file's folder tree without a warning.",
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
    name: 'queue',
    kind: 'string',
    valueName: 'URL',
    help: 'A Redis URL (redis://HOST:PORT, default $DGT_QUEUE_URL) shared by several runs or machines: LM rate limits, concurrency, 429 back-off and the request cache hold across all of them.',
  },
  {
    name: 'batch',
    kind: 'boolean',
    help: "Send LM requests through the providers' Batch APIs at half price (openai, azure-openai, anthropic; other blocks run online). Answers take minutes to hours; a killed run re-attaches to its pending batches.",
  },
  {
    name: 'json',
    kind: 'boolean',
    help: 'Print events as NDJSON on stdout instead of progress and a summary.',
  },
  {
    name: 'debug',
    kind: 'boolean',
    help: 'Also print every run event (LM requests, blocks, records) as a "debug:" JSON line on stderr.',
  },
  { name: 'help', kind: 'boolean', aliases: ['h'], help: 'Show this help.' },
  ...DIGIT_ONLY_FLAGS,
];
