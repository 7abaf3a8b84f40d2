import {
  type BlockRow,
  type BlockV1,
  compileTemplate,
  DgtError,
  defineBlock,
  type LmRow,
} from '@dgt/core';
import { z } from 'zod';
import { lmHolderSettings, withLmAlias } from './shared/lm-alias.js';
import { settleRows, validatorConfigShape } from './shared/validator.js';

const DEFAULT_PROMPT = `You are a strict reviewer of training data. Judge the following record.

{{ input }}

Reply in JSON with "reason" (one sentence) and "score" (an integer from {{ min_score }} to {{ max_score }}, higher is better).`;

const DEFAULT_PASS_FAIL_PROMPT = `You are a strict reviewer of training data. Decide whether the following record is correct and useful.

{{ input }}

Reply in JSON with "reason" (one sentence) and "pass" (true or false).`;

/** Config of `lm_judge` (`lm_config` is accepted for `lm`). */
export const lmJudgeConfigSchema = z.preprocess(
  withLmAlias,
  z.looseObject({
    ...validatorConfigShape,
    lm: z
      .looseObject({ type: z.string().min(1) })
      .describe('The judge: any LM block config (`{type: openai, model_id_or_path: …}`).'),
    prompt: z
      .string()
      .optional()
      .describe(
        "Jinja prompt over the row's fields (`{{ input }}`, or any field brought in with `input_map`), plus `min_score` / `max_score`. Defaults to a generic reviewer prompt.",
      ),
    mode: z
      .enum(['score', 'pass_fail'])
      .default('score')
      .describe('`score` (a number compared with `threshold`) or `pass_fail` (a boolean verdict).'),
    min_score: z.number().default(1),
    max_score: z.number().default(5),
    threshold: z
      .number()
      .optional()
      .describe('Rows scoring at least this pass; default the middle of the scale.'),
  }),
);

type JudgeConfig = z.output<typeof lmJudgeConfigSchema> & { name: string; type: string };

/** The JSON Schema the judge's reply must follow, for a mode. */
export function verdictSchema(config: Pick<JudgeConfig, 'mode' | 'min_score' | 'max_score'>) {
  return config.mode === 'pass_fail'
    ? {
        type: 'object',
        properties: { reason: { type: 'string' }, pass: { type: 'boolean' } },
        required: ['reason', 'pass'],
        additionalProperties: false,
      }
    : {
        type: 'object',
        properties: {
          reason: { type: 'string' },
          score: { type: 'number', minimum: config.min_score, maximum: config.max_score },
        },
        required: ['reason', 'score'],
        additionalProperties: false,
      };
}

/** Reads a verdict from the structured reply, or from a JSON object inside the text. */
export function readVerdict(
  row: Pick<LmRow, 'parsed' | 'result'>,
): Record<string, unknown> | undefined {
  if (row.parsed && typeof row.parsed === 'object') return row.parsed as Record<string, unknown>;
  const text = row.result ?? '';
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    const value = JSON.parse(text.slice(start, end + 1));
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `lm_judge`: LLM-as-a-judge. Renders `prompt` over each row, asks the `lm` block (made through
 * the run's plugins, so `--engine` flags apply) for a structured verdict, and writes
 * `judge_score` (or `judge_pass`) and `judge_reason` on the row. Rows scoring below `threshold`
 * (or judged `pass: false`, or whose reply cannot be read) are invalid.
 *
 * @example
 * blocks:
 *   - name: judge
 *     type: lm_judge
 *     filter: true
 *     threshold: 4
 *     lm: { type: openai, model_id_or_path: gpt-4o-mini, temperature: 0 }
 *     prompt: "Rate the answer to {{ question }}: {{ answer }} …"
 *     input_map: { question: question, answer: answer }
 */
export const lmJudgeBlock = defineBlock({
  role: 'validator',
  settings: lmHolderSettings,
  description: 'LLM-as-a-judge: scores rows with any LM block and keeps those above a threshold.',
  configSchema: lmJudgeConfigSchema,
  async create(config, ctx) {
    const where = `block "${config.name}" (${config.type})`;
    if (!ctx.createBlock) {
      throw new DgtError(
        'INVALID_BLOCK_CONFIG',
        `${where}: this runner cannot create the judge's LM block (BlockInitContext.createBlock is missing).`,
      );
    }
    const template = compileTemplate(
      config.prompt ?? (config.mode === 'pass_fail' ? DEFAULT_PASS_FAIL_PROMPT : DEFAULT_PROMPT),
      `${where} prompt`,
    );
    const threshold = config.threshold ?? (config.min_score + config.max_score) / 2;
    const lm: BlockV1 = await ctx.createBlock({ name: `${config.name}/lm`, ...config.lm });
    const schema = { name: 'judgement', schema: verdictSchema(config) };
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'validator',
      type: config.type,
      name: config.name,
      async call(rows, _options, callCtx) {
        const requests: LmRow[] = rows.map((row) => ({
          task_name: row.task_name,
          input: [
            {
              role: 'user',
              content: template.render({
                ...row,
                min_score: config.min_score,
                max_score: config.max_score,
              }),
            },
          ],
          source: row,
        }));
        const { rows: replies } = await lm.call(
          requests,
          { method: 'chat_completion', responseSchema: schema },
          callCtx,
        );
        const verdicts = new Map<BlockRow, string | undefined>();
        for (const reply of replies as (LmRow & { source: BlockRow; error?: string })[]) {
          const row = reply.source;
          if (reply.error) {
            verdicts.set(row, `the judge request failed: ${reply.error}`);
            continue;
          }
          const verdict = readVerdict(reply);
          row.judge_reason = typeof verdict?.reason === 'string' ? verdict.reason : undefined;
          if (config.mode === 'pass_fail') {
            const pass = verdict?.pass;
            if (typeof pass !== 'boolean') {
              verdicts.set(
                row,
                `the judge's reply has no pass/fail verdict: ${reply.result ?? ''}`,
              );
              continue;
            }
            row.judge_pass = pass;
            verdicts.set(row, pass ? undefined : `the judge failed it: ${row.judge_reason ?? ''}`);
          } else {
            const score = Number(verdict?.score);
            if (verdict?.score === undefined || !Number.isFinite(score)) {
              verdicts.set(row, `the judge's reply has no score: ${reply.result ?? ''}`);
              continue;
            }
            row.judge_score = score;
            verdicts.set(
              row,
              score >= threshold
                ? undefined
                : `judge score ${score} < threshold ${threshold}: ${row.judge_reason ?? ''}`,
            );
          }
        }
        const reasons = rows.map((row) =>
          verdicts.has(row) ? verdicts.get(row) : 'the judge returned no reply for this row',
        );
        return settleRows(rows, reasons, config.filter);
      },
    };
  },
});

export default lmJudgeBlock;
