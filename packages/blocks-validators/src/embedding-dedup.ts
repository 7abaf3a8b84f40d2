import { defineBlock } from '@dgt/core';
import { z } from 'zod';
import { createDedupRunner, type DedupMethod, dedupScopeSchema } from './dedup/dedup-runner.js';
import {
  DEFAULT_EMBEDDER,
  embedderConfigSchema,
  nearest,
  openEmbedder,
} from './shared/embedder.js';
import { textOf, validatorConfigShape } from './shared/validator.js';

/** Config of `embedding_dedup`. */
export const embeddingDedupConfigSchema = z.looseObject({
  ...validatorConfigShape,
  /** `task` (default): against every row accepted for the task; `call`: within a call. */
  scope: dedupScopeSchema.default('task'),
  /** The embedding model (an LM block config), or `lexical`. Default: Ollama `nomic-embed-text`. */
  embedder: embedderConfigSchema.default(DEFAULT_EMBEDDER),
  /** Cosine similarity at or above which a row duplicates an earlier one (default 0.95). */
  threshold: z.number().gt(0).lte(1).default(0.95),
});

type Vector = Float32Array;

function vectorMethod(
  vectors: Map<string, Vector>,
  threshold: number,
  model: string,
): DedupMethod<Vector> {
  return {
    prepare: (text) => vectors.get(text)!,
    createIndex() {
      const kept: Vector[] = [];
      return {
        find(item) {
          const best = nearest(item, kept);
          return best && best.similarity >= threshold
            ? `near-duplicate: cosine similarity ${best.similarity.toFixed(3)} ≥ ${threshold} with an earlier row`
            : undefined;
        },
        add: (item) => {
          kept.push(item);
        },
      };
    },
    encode: (items) => ({
      model,
      vectors: items.map((v) => Array.from(v, (x) => Math.round(x * 1e6) / 1e6)),
    }),
    decode: (data) => {
      const stored = data as { model: string; vectors: number[][] };
      // Vectors of another model cannot be compared; the index starts afresh for them.
      return stored.model === model ? stored.vectors.map((v) => Float32Array.from(v)) : [];
    },
  };
}

/**
 * `embedding_dedup`: drops rows whose `input` means nearly the same as an earlier row's: each
 * text is embedded (an LM block with an embeddings endpoint: OpenAI or compatible, Ollama,
 * watsonx), and a row whose cosine similarity with a kept row reaches `threshold` is a
 * duplicate. Search is exact (every kept vector compared). The kept vectors of each task are
 * saved under its `blocks/` folder, so dedup spans batches and resumes.
 *
 * @example
 * blocks:
 *   - name: dedup
 *     type: embedding_dedup
 *     filter: true
 *     threshold: 0.93
 *     embedder: { type: openai, model_id_or_path: text-embedding-3-small }
 *     input_map: { question: input }
 */
export const embeddingDedupBlock = defineBlock({
  role: 'validator',
  description:
    'Drops rows that mean nearly the same as an earlier one (cosine similarity of embeddings).',
  configSchema: embeddingDedupConfigSchema,
  async create(config, ctx) {
    const embedder = await openEmbedder(config.embedder, config, ctx);
    const vectors = new Map<string, Vector>();
    const model =
      config.embedder === 'lexical'
        ? 'lexical'
        : String(config.embedder.model_id_or_path ?? config.embedder.type);
    const runner = createDedupRunner(vectorMethod(vectors, config.threshold, model), {
      name: config.name,
      filter: config.filter,
      scope: config.scope,
    });
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'validator',
      type: config.type,
      name: config.name,
      async call(rows, options, callCtx) {
        const texts = rows.map((row) => textOf(row.input));
        const embedded = await embedder.embed(
          texts,
          callCtx,
          rows[0]?.task_name as string | undefined,
        );
        texts.forEach((text, i) => {
          vectors.set(text, embedded[i]!);
        });
        try {
          return await runner.call(rows, options, callCtx);
        } finally {
          vectors.clear();
        }
      },
      async close() {
        await runner.close();
      },
    };
  },
});

export default embeddingDedupBlock;
