import { type BlockRow, type BlockV1, DgtError, defineBlock, type LmRow } from '@dgt/core';
import { z } from 'zod';
import { readVerdict } from './lm-judge.js';
import {
  DIFFICULTY_LEVELS,
  QUALITY_LEVELS,
  SAMPLE_SCORES,
  TAG_REQUESTS,
  TAG_TASKS,
  TASK_CATEGORIES,
  type TagSubject,
  type TagTask,
} from './magpie/tag-prompts.js';
import { lmHolderSettings, withLmAlias } from './shared/lm-alias.js';

/** Config of `magpie_tag` (`lm_config` is accepted for `lm`). */
export const magpieTagConfigSchema = z.preprocess(
  withLmAlias,
  z.looseObject({
    /** The rating model: any LM block config. */
    lm: z.looseObject({ type: z.string().min(1) }),
    /** `all` (default), or one or more of quality, difficulty, classification, sample_quality. */
    tag_task: z
      .union([z.enum(['all', ...TAG_TASKS]), z.array(z.enum(TAG_TASKS)).min(1)])
      .default('all'),
  }),
);

type Messages = { role: string; content: unknown }[];

function isMessages(value: unknown): value is Messages {
  return (
    Array.isArray(value) && value.length > 0 && value.every((m) => typeof m?.role === 'string')
  );
}

/** What a row asks to be rated: `magpie_input`/`magpie_output`, or the `magpie_mt_input` turns. */
export function tagSubject(row: BlockRow): TagSubject | undefined {
  if (isMessages(row.magpie_mt_input)) {
    const turns = row.magpie_mt_input.filter((m) => m.role === 'user' || m.role === 'assistant');
    const text = (m: Messages[number]) =>
      typeof m.content === 'string' ? m.content : JSON.stringify(m.content);
    return {
      query: turns
        .filter((m) => m.role === 'user')
        .map(text)
        .join('\n\n'),
      response: turns
        .map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${text(m)}`)
        .join('\n\n'),
      multiTurn: true,
    };
  }
  const query = typeof row.magpie_input === 'string' ? row.magpie_input.trim() : '';
  if (!query) return undefined;
  const output = row.magpie_output;
  const response =
    typeof output === 'string' ? output : output == null ? undefined : String(output);
  return { query, ...(response?.trim() ? { response } : {}), multiTurn: false };
}

const lower = (value: unknown) =>
  typeof value === 'string' ? value.trim().toLowerCase() : undefined;

/** The tags one reply gives, or why it gives none. */
export function readTags(
  task: TagTask,
  reply: Pick<LmRow, 'parsed' | 'result'>,
): Record<string, unknown> | string {
  const value = readVerdict(reply) ?? {};
  const text = reply.result ?? '';
  const salvage = (key: string) =>
    new RegExp(`"${key}"\\s*:\\s*"?([^",}\\n]+)`, 'i').exec(text)?.[1];
  if (task === 'quality') {
    const level = lower(value.input_quality ?? salvage('input_quality'));
    if (!level || !(QUALITY_LEVELS as readonly string[]).includes(level))
      return `no input_quality level in the reply: ${text.slice(0, 80)}`;
    return { input_quality: level, input_quality_explanation: value.explanation ?? null };
  }
  if (task === 'difficulty') {
    const level = lower(value.difficulty ?? salvage('difficulty'));
    if (!level || !(DIFFICULTY_LEVELS as readonly string[]).includes(level))
      return `no difficulty level in the reply: ${text.slice(0, 80)}`;
    return { difficulty: level, intent: value.intent ?? null, knowledge: value.knowledge ?? null };
  }
  if (task === 'classification') {
    const primary = String(value.primary_tag ?? salvage('primary_tag') ?? '').trim();
    const known = TASK_CATEGORIES.find((c) => c.toLowerCase() === primary.toLowerCase());
    if (!known) return `no known primary_tag in the reply: ${text.slice(0, 80)}`;
    const others = Array.isArray(value.other_tags) ? value.other_tags.map(String) : [];
    return { task_category: known, other_task_category: others.filter((o) => o !== known) };
  }
  const score = /[1-5]/.exec(String(value.score ?? salvage('score') ?? ''))?.[0];
  if (!score || !(SAMPLE_SCORES as readonly string[]).includes(score))
    return `no 1-5 score in the reply: ${text.slice(0, 80)}`;
  return { sample_quality: score, sample_quality_explanation: value.explanation ?? null };
}

/**
 * `magpie_tag`: rates instruction data with an LM, as DiGiT's Magpie tagger: `quality` (how
 * clearly the request is put: very poor … excellent), `difficulty` (very easy … very hard, with
 * the intent and the knowledge needed), `classification` (task category) and `sample_quality`
 * (the response, 1–5). Rows give `magpie_input` and `magpie_output` (single turn) or
 * `magpie_mt_input` (a conversation's messages); map fields in with `input_map`. The tags go to
 * `magpie_tags` (with `metadata.label_model`, and `metadata.errors` naming any task whose reply
 * could not be read). Every row passes on.
 *
 * @example
 * blocks:
 *   - name: tagger
 *     type: magpie_tag
 *     tag_task: all
 *     lm_config: { type: ollama, model_id_or_path: granite3.3:2b, temperature: 0 }
 *     input_map: { question: magpie_input, answer: magpie_output }
 */
export const magpieTagBlock = defineBlock({
  role: 'transform',
  settings: lmHolderSettings,
  description:
    'Rates instruction data with an LM: input quality, difficulty, category, response score.',
  configSchema: magpieTagConfigSchema,
  async create(config, ctx) {
    const where = `block "${config.name}" (${config.type})`;
    if (!ctx.createBlock)
      throw new DgtError(
        'INVALID_BLOCK_CONFIG',
        `${where}: this runner cannot create the tagger's LM block (BlockInitContext.createBlock is missing).`,
      );
    const lm: BlockV1 = await ctx.createBlock({ name: `${config.name}/lm`, ...config.lm });
    const tasks: readonly TagTask[] =
      config.tag_task === 'all'
        ? TAG_TASKS
        : typeof config.tag_task === 'string'
          ? [config.tag_task]
          : config.tag_task;
    const label = String(config.lm.model_id_or_path ?? config.lm.model ?? config.lm.type);
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'transform',
      type: config.type,
      name: config.name,
      async call(rows, _options, callCtx) {
        const tags = new Map<BlockRow, Record<string, unknown>>();
        const errors = new Map<BlockRow, Record<string, string>>();
        const fail = (row: BlockRow, task: string, reason: string) =>
          errors.set(row, { ...errors.get(row), [task]: reason });
        await Promise.all(
          tasks.map(async (task) => {
            const requests: (LmRow & { source: BlockRow })[] = [];
            for (const row of rows) {
              const subject = tagSubject(row);
              if (!subject)
                fail(row, task, 'the row has no magpie_input or magpie_mt_input to rate');
              else if (task === 'sample_quality' && subject.response === undefined)
                fail(row, task, 'the row has no magpie_output to rate');
              else
                requests.push({
                  task_name: row.task_name,
                  input: [{ role: 'user', content: TAG_REQUESTS[task].prompt(subject) }],
                  source: row,
                });
            }
            if (requests.length === 0) return;
            const { rows: replies } = await lm.call(
              requests,
              {
                method: 'chat_completion',
                responseSchema: { name: `magpie_${task}`, schema: TAG_REQUESTS[task].schema },
              },
              callCtx,
            );
            for (const reply of replies as (LmRow & { source: BlockRow })[]) {
              const read = reply.error
                ? `the request failed: ${reply.error}`
                : readTags(task, reply);
              if (typeof read === 'string') fail(reply.source, task, read);
              else tags.set(reply.source, { ...tags.get(reply.source), ...read });
            }
          }),
        );
        for (const row of rows) {
          const previous =
            row.magpie_tags && typeof row.magpie_tags === 'object'
              ? (row.magpie_tags as Record<string, unknown>)
              : {};
          const rowErrors = errors.get(row);
          row.magpie_tags = {
            ...previous,
            ...tags.get(row),
            metadata: {
              ...(previous.metadata as Record<string, unknown> | undefined),
              label_model: label,
              ...(rowErrors ? { errors: rowErrors } : {}),
            },
          };
        }
        return { rows };
      },
    };
  },
});

export default magpieTagBlock;
