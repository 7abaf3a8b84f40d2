import { type BlockV1, compileTemplate, DgtError, defineBlock, type LmRow } from '@dgt/core';
import { z } from 'zod';
import { readVerdict } from './lm-judge.js';
import { lmHolderSettings, withLmAlias } from './shared/lm-alias.js';
import { textOf } from './shared/validator.js';

const DEFAULT_PROMPT = `Label the following training record with {% if tags %}the tags from this list that apply to it: {{ tags | join(", ") }}{% else %}short topic tags (one to three words each){% endif %}. Give at most {{ max_tags }}.

{{ input }}

Reply in JSON with "tags" (a list of strings).`;

/** Config of `tagger` (`lm_config` is accepted for `lm`). */
export const taggerConfigSchema = z.preprocess(
  withLmAlias,
  z.looseObject({
    /** The LM that tags: any LM block config (`{type: openai, model_id_or_path: …}`). */
    lm: z.looseObject({ type: z.string().min(1) }),
    /** The allowed tags; without it the model names its own. */
    tags: z.array(z.string().min(1)).optional(),
    /** Most tags per row (default 3). */
    max_tags: z.number().int().positive().default(3),
    /** Jinja prompt over the row's fields (`{{ input }}`, `tags`, `max_tags`). */
    prompt: z.string().optional(),
  }),
);

/** The JSON Schema of the tagger's reply. */
export function tagsSchema(tags: readonly string[] | undefined, max: number) {
  return {
    type: 'object',
    properties: {
      tags: {
        type: 'array',
        maxItems: max,
        items: tags?.length ? { type: 'string', enum: [...tags] } : { type: 'string' },
      },
    },
    required: ['tags'],
    additionalProperties: false,
  };
}

/**
 * `tagger`: asks an LM for the tags that describe each row (from a closed `tags` list, or its
 * own) and writes them to `tags`. Tags outside the list are dropped; a failed request leaves
 * `tags: []` and says why in `tag_error`. Rows are never dropped: filter on the tags afterwards.
 *
 * @example
 * blocks:
 *   - name: tagger
 *     type: tagger
 *     tags: [grammar, spelling, style]
 *     lm_config: { type: openai, model_id_or_path: gpt-4o-mini, temperature: 0 }
 *     input_map: { answer: input }
 */
export const taggerBlock = defineBlock({
  role: 'transform',
  settings: lmHolderSettings,
  description: 'Tags each row with an LM, from a closed list of tags or freely.',
  configSchema: taggerConfigSchema,
  async create(config, ctx) {
    const where = `block "${config.name}" (${config.type})`;
    if (!ctx.createBlock) {
      throw new DgtError(
        'INVALID_BLOCK_CONFIG',
        `${where}: this runner cannot create the tagger's LM block (BlockInitContext.createBlock is missing).`,
      );
    }
    const template = compileTemplate(config.prompt ?? DEFAULT_PROMPT, `${where} prompt`);
    const lm: BlockV1 = await ctx.createBlock({ name: `${config.name}/lm`, ...config.lm });
    const allowed = config.tags ? new Set(config.tags) : undefined;
    const schema = { name: 'tags', schema: tagsSchema(config.tags, config.max_tags) };
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'transform',
      type: config.type,
      name: config.name,
      async call(rows, _options, callCtx) {
        const requests: (LmRow & { source: Record<string, unknown> })[] = rows.map((row) => ({
          task_name: row.task_name,
          input: [
            {
              role: 'user',
              content: template.render({
                ...row,
                input: textOf(row.input),
                tags: config.tags,
                max_tags: config.max_tags,
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
        for (const reply of replies as (LmRow & { source: Record<string, unknown> })[]) {
          const row = reply.source;
          const listed = readVerdict(reply)?.tags;
          if (reply.error || !Array.isArray(listed)) {
            row.tags = [];
            row.tag_error = reply.error ?? `the reply has no tags list: ${reply.result ?? ''}`;
            continue;
          }
          row.tags = [
            ...new Set(
              listed
                .filter((tag): tag is string => typeof tag === 'string' && tag.trim() !== '')
                .map((tag) => tag.trim())
                .filter((tag) => !allowed || allowed.has(tag)),
            ),
          ].slice(0, config.max_tags);
          delete row.tag_error;
        }
        return { rows };
      },
    };
  },
});

export default taggerBlock;
