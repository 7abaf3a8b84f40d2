import type { BlockCallContext } from './block.js';

/**
 * The embeddings capability of an LM provider block (OpenAI `/v1/embeddings`, Ollama
 * `/api/embed`, watsonx `text/embeddings`): one vector per text, in order. A block that has it
 * carries an `embed` method beside `call`; blocks that need vectors (embedding dedup) create an
 * LM block with `BlockInitContext.createBlock` and check for it with `hasEmbeddings`.
 */
export type EmbeddingCapability = {
  /** Vectors of `texts`, in order; `taskName` attributes the requests' usage to a task. */
  embed(
    texts: readonly string[],
    ctx?: Partial<BlockCallContext> & { taskName?: string },
  ): Promise<number[][]>;
};
