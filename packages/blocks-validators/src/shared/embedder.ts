import {
  type BlockCallContext,
  type BlockInitContext,
  type BlockV1,
  DgtError,
  hasEmbeddings,
  lexicalEmbedding,
} from '@dgt/core';
import { z } from 'zod';

/**
 * Where a block's vectors come from: an LM block config with the embeddings capability
 * (`{type: openai, model_id_or_path: text-embedding-3-small}`, `ollama`, `watsonx`), or
 * `lexical` (hashed words and word pairs: no model, catches rewordings only as far as they
 * share words).
 */
export const embedderConfigSchema = z.union([
  z.literal('lexical'),
  z.looseObject({ type: z.string().min(1) }),
]);

/** The default embedder: a small embedding model on a local Ollama server. */
export const DEFAULT_EMBEDDER = { type: 'ollama', model_id_or_path: 'nomic-embed-text' } as const;

/** Embeds texts for a block, remembering the vectors of texts it has seen. */
export type TextEmbedder = {
  embed(
    texts: readonly string[],
    ctx: BlockCallContext,
    taskName?: string,
  ): Promise<Float32Array[]>;
};

function unit(vector: readonly number[]): Float32Array {
  const norm = Math.hypot(...vector);
  return Float32Array.from(vector, (v) => (norm === 0 ? 0 : v / norm));
}

/**
 * Opens a block's embedder. An LM block is created through the run (so `--engine` and the
 * request settings apply, and the run closes it). A provider without embeddings (a chat-only one) falls back to
 * lexical vectors, with a warning at the first call saying so. Vectors are unit length, so a dot
 * product is the cosine similarity.
 */
export async function openEmbedder(
  config: z.output<typeof embedderConfigSchema>,
  block: { name: string; type: string },
  ctx: BlockInitContext,
): Promise<TextEmbedder> {
  const where = `block "${block.name}" (${block.type})`;
  let model: (BlockV1 & { embed?: unknown }) | undefined;
  let fallback: string | undefined;
  if (config !== 'lexical') {
    if (!ctx.createBlock)
      throw new DgtError(
        'INVALID_BLOCK_CONFIG',
        `${where}: this runner cannot create the embedding model (BlockInitContext.createBlock is missing).`,
      );
    model = await ctx.createBlock({ name: `${block.name}/embedder`, ...config });
    if (!hasEmbeddings(model)) {
      fallback = `${where}: the embedder (type ${model.type}) has no embeddings endpoint; near-duplicates are found with lexical vectors (shared words) instead.`;
    }
  }
  const cache = new Map<string, Float32Array>();
  let warned = false;
  return {
    async embed(texts, callCtx, taskName) {
      const missing = [...new Set(texts.filter((t) => !cache.has(t)))];
      if (missing.length) {
        if (fallback && !warned) {
          warned = true;
          callCtx.emit({
            type: 'warning',
            message: fallback,
            ...(taskName ? { task: taskName } : {}),
          });
        }
        const vectors =
          model && hasEmbeddings(model)
            ? await model.embed(missing, { ...callCtx, ...(taskName ? { taskName } : {}) })
            : missing.map((text) => lexicalEmbedding(text));
        missing.forEach((text, i) => {
          cache.set(text, unit(vectors[i]!));
        });
      }
      return texts.map((text) => cache.get(text)!);
    },
  };
}

/** The cosine similarity of two unit vectors. */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length)
    throw new DgtError(
      'INVALID_BLOCK_CONFIG',
      `embeddings of different sizes (${a.length} and ${b.length}): the embedding model changed; rerun with --restart.`,
    );
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/**
 * The most similar of `vectors` to `query`, by exact search (every vector compared): fine for
 * the tens of thousands of rows a task holds, with no index to build or keep.
 */
export function nearest(
  query: Float32Array,
  vectors: readonly Float32Array[],
): { index: number; similarity: number } | undefined {
  let best: { index: number; similarity: number } | undefined;
  vectors.forEach((vector, index) => {
    const similarity = cosine(query, vector);
    if (!best || similarity > best.similarity) best = { index, similarity };
  });
  return best;
}
