import { type BlockRow, defineBlock } from '@dgt/core';
import { z } from 'zod';
import { DIFFICULTY_LEVELS, QUALITY_LEVELS, SAMPLE_SCORES } from './magpie/tag-prompts.js';
import { settleRows, validatorConfigShape } from './shared/validator.js';

const FILTER_TYPES = ['all', 'invalid_scores', 'high_quality_filter'] as const;

/** Config of `magpie_filter` (DiGiT's keys). */
export const magpieFilterConfigSchema = z.looseObject({
  ...validatorConfigShape,
  /** `invalid_scores` (tags present and valid), `high_quality_filter` (criteria), or `all` (both). */
  filter_type: z.union([z.enum(FILTER_TYPES), z.array(z.enum(FILTER_TYPES)).min(1)]).default('all'),
  /** Accepted values per tag: `input_quality`, `sample_quality` (1–5 as text), `difficulty`. */
  filter_criteria: z
    .looseObject({
      input_quality: z.array(z.string()).optional(),
      sample_quality: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
      difficulty: z.array(z.string()).optional(),
    })
    .optional(),
  /** Keep only the canonical row of each near-duplicate cluster (`magpie_distance`). */
  remove_duplicates: z.boolean().default(true),
});

const DEFAULT_CRITERIA = {
  input_quality: ['good', 'excellent'],
  sample_quality: ['5'],
  difficulty: [...DIFFICULTY_LEVELS],
};

type Tags = Record<string, unknown> & { metadata?: { errors?: Record<string, string> } };

/**
 * `magpie_filter`: keeps the instruction data Magpie's tags approve of, as DiGiT's filter: valid
 * tags (`invalid_scores`), the `filter_criteria` levels (`high_quality_filter`; default: input
 * quality good or excellent, response score 5), and with `remove_duplicates` only the canonical
 * row of each `magpie_distance` cluster. Reads the tags from `field` (DiGiT maps `magpie_tags:
 * field`) or `magpie_tags`, and `id`. Each rejected row names the tag and value at fault.
 */
export const magpieFilterBlock = defineBlock({
  role: 'validator',
  description: 'Keeps rows whose Magpie tags meet the criteria, and one row per duplicate cluster.',
  configSchema: magpieFilterConfigSchema,
  create(config) {
    const types = new Set(
      typeof config.filter_type === 'string' ? [config.filter_type] : config.filter_type,
    );
    const checkValidity = types.has('all') || types.has('invalid_scores');
    const checkQuality = types.has('all') || types.has('high_quality_filter');
    const criteria = { ...DEFAULT_CRITERIA, ...config.filter_criteria };
    const verdict = (row: BlockRow): string | undefined => {
      const tags = (row.field ?? row.magpie_tags ?? {}) as Tags;
      if (typeof row.magpie_input === 'string' && row.magpie_input.trim() === '')
        return 'empty magpie_input';
      if (checkValidity) {
        for (const [key, levels] of [
          ['input_quality', QUALITY_LEVELS],
          ['difficulty', DIFFICULTY_LEVELS],
          ['sample_quality', SAMPLE_SCORES],
        ] as const) {
          const value = tags[key];
          if (
            value !== undefined &&
            value !== null &&
            !(levels as readonly string[]).includes(String(value))
          )
            return `invalid ${key} "${String(value)}" (expected one of ${levels.join(', ')})`;
        }
      }
      if (checkQuality) {
        for (const key of ['input_quality', 'sample_quality', 'difficulty'] as const) {
          const wanted = criteria[key];
          if (!wanted || (key === 'difficulty' && config.filter_criteria?.difficulty === undefined))
            continue;
          const value = tags[key];
          if (value === undefined || value === null) {
            // A tag the tagger was not asked for is not checked; one it failed to give is.
            const error = tags.metadata?.errors?.[key === 'input_quality' ? 'quality' : key];
            if (error) return `no ${key} tag (the tagger: ${error})`;
            continue;
          }
          if (!wanted.map((w) => w.toLowerCase()).includes(String(value).toLowerCase()))
            return `${key} "${String(value)}" is not one of ${wanted.join(', ')}`;
        }
      }
      if (
        config.remove_duplicates &&
        tags.min_similar_uuid != null &&
        (tags.duplicate === true ||
          (row.id != null && String(row.id) !== String(tags.min_similar_uuid)))
      )
        return `near-duplicate of ${String(tags.min_similar_uuid)}`;
      return undefined;
    };
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'validator',
      type: config.type,
      name: config.name,
      async call(rows) {
        return settleRows(rows, rows.map(verdict), config.filter);
      },
    };
  },
});

export default magpieFilterBlock;
