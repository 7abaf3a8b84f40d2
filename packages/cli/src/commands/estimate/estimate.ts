import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type PlannedBuilder, type PlannedTask, planRun } from '@dgt/core';
import type { CliIo } from '../../io.js';
import { commandHelp, parseFlags } from '../../parse-flags.js';
import { formatCost, formatCount } from '../../reporters/task-progress.js';
import { ESTIMATE_COMMAND } from '../definitions.js';
import { discoverFromFlags, flagReader, planOptionsFromFlags } from '../plan-options.js';
import { type EstimateFigures, type EstimateInput, estimateTask } from './estimate-task.js';

/** One task's estimate, as printed and as `--json` gives it. */
type TaskEstimate = {
  task: string;
  models: string[];
  records?: number;
  requests?: number;
  promptTokens?: number;
  completionTokens?: number;
  /** `undefined` when a model's price is unknown. */
  costUsd?: number;
  batch: boolean;
  basis?: EstimateFigures['basis'];
  note?: string;
};

function lines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

function lastJson(file: string): Record<string, unknown> | undefined {
  const last = lines(file).at(-1);
  if (!last) return undefined;
  try {
    return JSON.parse(last);
  } catch {
    return undefined;
  }
}

/** Input records of a transformation task: inline `data`, or the lines of its JSONL `data_path`. */
function inputRecords(task: PlannedTask, cwd: string): unknown[] | undefined {
  const data = task.loaded.config.data as unknown;
  if (Array.isArray(data)) return data;
  const file = (data as { data_path?: unknown } | undefined)?.data_path;
  if (typeof file !== 'string' || !/\.jsonl$/.test(file)) return undefined;
  const full = path.resolve(path.dirname(task.loaded.file) || cwd, file);
  return lines(full).map((l) => JSON.parse(l) as unknown);
}

function numberKey(config: Record<string, unknown>, key: string): number | undefined {
  const value = config[key];
  return typeof value === 'number' && value > 0 ? value : undefined;
}

type LmPricing = Pick<
  typeof import('@dgt/blocks-lm'),
  'BATCH_BLOCK_TYPES' | 'BATCH_PRICE_FACTOR' | 'costOf' | 'resolvePrice'
>;

function estimateOne(
  { BATCH_BLOCK_TYPES, BATCH_PRICE_FACTOR, costOf, resolvePrice }: LmPricing,
  builder: PlannedBuilder,
  task: PlannedTask,
  env: Record<string, string | undefined>,
  cwd: string,
): TaskEstimate {
  const name = task.loaded.config.task_name;
  const lm = builder.blockConfigs.filter(
    (b) => builder.blockDefinitions.get(b.type)?.role === 'lm',
  ) as Array<Record<string, unknown> & { type: string; name: string }>;
  const models = lm.map((b) => String(b.model_id_or_path ?? b.model ?? '?'));
  const batch =
    lm.length > 0 && lm.every((b) => b.batch === true && BATCH_BLOCK_TYPES.includes(b.type));
  const base: TaskEstimate = { task: name, models, batch };
  if (lm.length === 0) return { ...base, requests: 0, costUsd: 0, note: 'no LM block' };

  const taskConfig = task.loaded.config as Record<string, unknown>;
  const builderConfig = builder.config as Record<string, unknown>;
  const generation = builder.builder.kind === 'generation';
  const examples = generation ? task.seeds : (inputRecords(task, cwd) ?? []);
  // Records already on disk (a resumed task) need no request.
  const made = generation ? lines(path.join(task.settings.taskDir, 'data.jsonl')).length : 0;
  const records = generation
    ? Math.max(0, task.settings.target - made)
    : (inputRecords(task, cwd)?.length ?? undefined);
  const results = lastJson(path.join(task.settings.taskDir, 'task_results.jsonl'));
  const maxTokens = lm
    .map((b) => numberKey(b, 'max_tokens') ?? numberKey(b, 'max_new_tokens'))
    .find((n) => n !== undefined);
  const input: EstimateInput = {
    kind: generation ? 'generation' : 'transformation',
    records,
    lmBlocks: lm.length,
    descriptionChars: String(taskConfig.task_description ?? '').length,
    exampleChars: examples.map((e) => JSON.stringify(e).length),
    examplesPerPrompt: Math.min(
      examples.length,
      numberKey(taskConfig, 'num_prompt_instructions') ??
        numberKey(builderConfig, 'num_prompt_instructions') ??
        3,
    ),
    recordsPerRequest:
      numberKey(taskConfig, 'num_questions_per_prompt') ??
      numberKey(builderConfig, 'num_questions_per_prompt') ??
      1,
    maxTokens,
    ...(results && typeof results.lmRequests === 'number'
      ? {
          observed: {
            accepted: Number(results.accepted) || 0,
            lmRequests: results.lmRequests,
            cacheHits: Number(results.cacheHits) || 0,
            promptTokens: Number(results.promptTokens) || 0,
            completionTokens: Number(results.completionTokens) || 0,
          },
        }
      : {}),
  };
  const figures = estimateTask(input);
  if (!figures) return { ...base, note: 'input size unknown' };
  // Requests and tokens are shared evenly by the builder's LM blocks, each at its own price.
  let cost: number | undefined = 0;
  for (const block of lm) {
    const price = resolvePrice(
      String(block.model_id_or_path ?? block.model ?? ''),
      block.pricing as Parameters<typeof resolvePrice>[1],
      env,
    );
    if (!price || cost === undefined) {
      cost = undefined;
      continue;
    }
    const rate =
      block.batch === true && BATCH_BLOCK_TYPES.includes(block.type) ? BATCH_PRICE_FACTOR : 1;
    cost +=
      costOf(price, figures.promptTokens / lm.length, figures.completionTokens / lm.length) * rate;
  }
  return {
    ...base,
    ...(records !== undefined ? { records } : {}),
    requests: figures.requests,
    promptTokens: figures.promptTokens,
    completionTokens: figures.completionTokens,
    ...(cost !== undefined ? { costUsd: cost } : { note: 'no price for the model' }),
    basis: figures.basis,
  };
}

function table(rows: TaskEstimate[]): string {
  const header = [
    'task',
    'model',
    'records',
    'requests',
    'prompt tok',
    'completion tok',
    'cost',
    'basis',
  ];
  const cells = rows.map((r) => [
    r.task,
    [...new Set(r.models)].join(', ') || '-',
    r.records !== undefined ? formatCount(r.records) : '?',
    r.requests !== undefined ? formatCount(r.requests) : '?',
    r.promptTokens !== undefined ? formatCount(r.promptTokens) : '?',
    r.completionTokens !== undefined ? formatCount(r.completionTokens) : '?',
    r.costUsd !== undefined ? `${formatCost(r.costUsd)}${r.batch ? ' (batch)' : ''}` : '?',
    r.note ?? r.basis ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const format = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...cells.map(format)].join(
    '\n',
  );
}

/**
 * `dgt estimate`: plans the run as `dgt run` would (tasks, overrides, engine flags), then prints
 * per task the expected LM requests, tokens and dollars, without calling any model. Sizes come
 * from an earlier run of the task in the output folder when there is one, else from the task's
 * description and seeds; prices from the built-in table, a block's `pricing` key or
 * `DGT_PRICES_FILE`, at the batch rate for blocks in batch mode.
 */
export async function estimateCommand(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, ESTIMATE_COMMAND.flags, 'estimate', { positionals: true });
  if (flags.help) {
    io.out.write(commandHelp(ESTIMATE_COMMAND));
    return 0;
  }
  const { list } = flagReader(flags);
  const registry = await discoverFromFlags(flags, io);
  const plan = await planRun(
    planOptionsFromFlags(flags, io, registry, [...list('_'), ...list('task-paths')]),
  );
  // Loaded here, not at start-up: the other commands do not need the LM package.
  const pricing = await import('@dgt/blocks-lm');
  const rows = plan.builders.flatMap((builder) =>
    builder.tasks.map((task) => estimateOne(pricing, builder, task, plan.env, plan.cwd)),
  );
  const known = rows.every((r) => r.costUsd !== undefined);
  const total = rows.reduce((sum, r) => sum + (r.costUsd ?? 0), 0);
  if (flags.json) {
    io.out.write(`${JSON.stringify({ tasks: rows, totalUsd: known ? total : null })}\n`);
    return 0;
  }
  io.out.write(`${table(rows)}\n\n`);
  io.out.write(
    `Estimated total: ${known ? formatCost(total) : `${formatCost(total)} + unpriced models`}. ` +
      'An estimate from seeds and the price table (rejected records and retries add to it); a previous run of a task in the output folder makes it closer.\n',
  );
  return 0;
}
