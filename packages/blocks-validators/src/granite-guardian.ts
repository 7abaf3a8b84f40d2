import { type BlockRow, type BlockV1, DgtError, defineBlock, type LmRow } from '@dgt/core';
import { z } from 'zod';
import { lmHolderSettings, withLmAlias } from './shared/lm-alias.js';
import { preview, settleRows, textOf, validatorConfigShape } from './shared/validator.js';

/** Config of `validators/granite_guardian` (`lm_config` is accepted for `lm`). */
export const graniteGuardianConfigSchema = z.preprocess(
  withLmAlias,
  z.looseObject({
    ...validatorConfigShape,
    /**
     * The guardian model's endpoint: an OpenAI-compatible LM block (vLLM or Ollama's `/v1`
     * serving Granite Guardian), e.g. `{type: openai, base_url: …, model_id_or_path: …}`.
     */
    lm: z.looseObject({ type: z.string().min(1) }),
    /** Granite Guardian version: `3.3` reads `<score> yes|no </score>`, earlier ones `Yes`/`No`. */
    model_version: z.coerce.string().default('3.3'),
    /** The risk checked (`harm`, `jailbreak`, `social_bias`, `groundedness`, …). */
    risk: z.string().min(1).default('harm'),
    /**
     * Which verdict is valid: `safe` (the default; the risk must be absent) or `risky` (the
     * risk must be present, e.g. when collecting harmful requests). A builder may pass
     * `{expect}` per call.
     */
    expect: z.enum(['safe', 'risky']).default('safe'),
  }),
);

/**
 * Reads a guardian verdict: `true` when the risk is present, `false` when absent, `undefined`
 * when the reply says neither.
 */
export function readGuardianVerdict(text: string): boolean | undefined {
  const score = /<score>\s*(yes|no)\s*<\/score>/i.exec(text);
  const word =
    score?.[1] ?? /^\s*(yes|no)\b/i.exec(text.replace(/<think>[\s\S]*?<\/think>/i, ''))?.[1];
  return word === undefined ? undefined : word.toLowerCase() === 'yes';
}

/**
 * `validators/granite_guardian` (alias `granite_guardian`): asks a Granite Guardian model whether
 * a risk is present in the row's `input` (the user's prompt) and, when the row has one, its
 * `response` (then the reply is judged). The request carries the risk in
 * `chat_template_kwargs.guardian_config`, the form vLLM and Ollama's OpenAI-compatible endpoints
 * pass to the model's chat template. Writes `guardian_risk` (true/false) on the row; a row whose
 * verdict is not the expected one (`expect`), or unreadable, is invalid.
 *
 * @example
 * blocks:
 *   - name: granite_guardian
 *     type: validators/granite_guardian
 *     filter: true
 *     lm_config: { type: openai, base_url: http://localhost:11434/v1, model_id_or_path: granite3-guardian }
 *     input_map: { instruction: input, response: response }
 */
export const graniteGuardianBlock = defineBlock({
  role: 'validator',
  settings: lmHolderSettings,
  description:
    'Granite Guardian risk check of a prompt (and its reply) through an OpenAI-compatible endpoint.',
  configSchema: graniteGuardianConfigSchema,
  async create(config, ctx) {
    const where = `block "${config.name}" (${config.type})`;
    if (!ctx.createBlock) {
      throw new DgtError(
        'INVALID_BLOCK_CONFIG',
        `${where}: this runner cannot create the guardian's LM block (BlockInitContext.createBlock is missing).`,
      );
    }
    const lm: BlockV1 = await ctx.createBlock({ name: `${config.name}/lm`, ...config.lm });
    const legacy = Number.parseFloat(config.model_version) < 3.3;
    const guardianConfig = legacy ? { risk_name: config.risk } : { criteria_id: config.risk };
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'validator',
      type: config.type,
      name: config.name,
      async call(rows, options, callCtx) {
        const expect =
          options?.expect === 'risky' || options?.expect === 'safe'
            ? options.expect
            : config.expect;
        const requests = rows.map((row) => {
          const response =
            row.response === undefined || row.response === null ? undefined : textOf(row.response);
          return {
            task_name: row.task_name,
            input: [
              { role: 'user', content: textOf(row.input) },
              ...(response !== undefined ? [{ role: 'assistant', content: response }] : []),
            ],
            gen_kwargs: {
              temperature: 0,
              chat_template_kwargs: { guardian_config: guardianConfig, think: false },
            },
            source: row,
          } as LmRow & { source: BlockRow };
        });
        const { rows: replies } = await lm.call(requests, { method: 'chat_completion' }, callCtx);
        const reasons = new Map<BlockRow, string | undefined>();
        for (const reply of replies as (LmRow & { source: BlockRow })[]) {
          const row = reply.source;
          if (reply.error) {
            reasons.set(row, `the guardian request failed: ${reply.error}`);
            continue;
          }
          const risky = readGuardianVerdict(reply.result ?? '');
          if (risky === undefined) {
            reasons.set(
              row,
              `the guardian's reply has no yes/no verdict: ${preview(reply.result ?? '')}`,
            );
            continue;
          }
          row.guardian_risk = risky;
          const subject = row.response === undefined ? 'the prompt' : 'the reply';
          reasons.set(
            row,
            risky === (expect === 'risky')
              ? undefined
              : `Granite Guardian judged ${subject} ${risky ? 'risky' : 'safe'} for "${config.risk}", expected ${expect}`,
          );
        }
        return settleRows(
          rows,
          rows.map((row) =>
            reasons.has(row) ? reasons.get(row) : 'the guardian returned no reply for this row',
          ),
          config.filter,
        );
      },
    };
  },
});

export default graniteGuardianBlock;
