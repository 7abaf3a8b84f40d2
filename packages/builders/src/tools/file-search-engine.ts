import path from 'node:path';
import { DgtError, openDatastore, type RandomSource } from '@dgt/core';
import { z } from 'zod';
import { type SearchDocument, toDocument } from './documents.js';
import type { ToolEngineDefinition } from './tool-engine.js';

const configSchema = z.looseObject({
  type: z.string(),
  /** The corpus file. */
  path: z.string().min(1),
  /** `jsonl` (default), `json`, or any datastore type (`csv`, `parquet`, `yaml`, …). */
  format: z.string().default('jsonl'),
  /** Corpus field → canonical field (`text`, `id`), e.g. `{body: text, doc_id: id}`. */
  projection: z.record(z.string(), z.string()).default({}),
  /** Documents a search returns (default 5). */
  limit: z.int().positive().default(5),
});

const WORD = /[\p{L}\p{N}]+/gu;
const terms = (text: string) => (text.toLowerCase().match(WORD) ?? []).filter((t) => t.length > 2);

/**
 * Scores each document for a query by the query terms it contains, weighting rare terms higher
 * (an inverse-document-frequency sum over the distinct query terms).
 */
function rank(documents: readonly SearchDocument[], index: readonly Set<string>[], query: string) {
  const wanted = [...new Set(terms(query))];
  const weights = wanted.map((term) => {
    const holders = index.filter((words) => words.has(term)).length;
    return holders === 0 ? 0 : Math.log(1 + documents.length / holders);
  });
  return documents
    .map((document, i) => ({
      document,
      score: wanted.reduce((sum, term, t) => sum + (index[i]!.has(term) ? weights[t]! : 0), 0),
    }))
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score)
    .map((entry) => entry.document);
}

/**
 * `search/file`: a retriever over a local corpus file (DiGiT's engine of that name), loaded once
 * and kept in memory. A search with a query returns the documents sharing most (rare) terms with
 * it; without a query, or when nothing matches, a random sample, as DiGiT's engine always does.
 * It serves any tool whose engine it is, reading the query from `query` (or the first text
 * argument).
 */
export const fileSearchEngine: ToolEngineDefinition = {
  type: 'search/file',
  description: 'Retrieves documents from a local corpus file (JSONL, JSON, CSV, …).',
  create(raw, ctx) {
    const parsed = configSchema.safeParse(raw);
    if (!parsed.success) {
      throw new DgtError(
        'INVALID_TASK',
        `${ctx.where}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    const config = parsed.data;
    let loading: Promise<{ documents: SearchDocument[]; index: Set<string>[] }> | undefined;
    const load = () => {
      loading ??= (async () => {
        const file = path.resolve(ctx.baseDir, config.path);
        const store = await openDatastore(
          { type: config.format, data_path: config.path },
          { outputDir: ctx.baseDir, storeName: 'corpus', baseDir: ctx.baseDir },
        );
        if (!(await store.exists()))
          throw new DgtError('INVALID_TASK', `${ctx.where}.path: ${file} does not exist.`);
        const documents: SearchDocument[] = [];
        for await (const record of store.read())
          documents.push(toDocument(record, documents.length, config.projection));
        await store.close();
        if (documents.length === 0)
          throw new DgtError('INVALID_TASK', `${ctx.where}.path: ${file} holds no documents.`);
        return { documents, index: documents.map((d) => new Set(terms(d.text))) };
      })();
      return loading;
    };
    const search = async (query: string, random: RandomSource, limit = config.limit) => {
      const { documents, index } = await load();
      const ranked = query.trim() ? rank(documents, index, query) : [];
      return ranked.length ? ranked.slice(0, limit) : random.sample(documents, limit);
    };
    return {
      type: 'search/file',
      name: ctx.name,
      search,
      async corpus() {
        return (await load()).documents;
      },
      async call(_tool, args, random) {
        const query =
          typeof args.query === 'string'
            ? args.query
            : ((Object.values(args).find((v) => typeof v === 'string') as string | undefined) ??
              '');
        const limit = typeof args.limit === 'number' && args.limit > 0 ? args.limit : undefined;
        return (await search(query, random, limit)).map((d) => ({
          id: d.id,
          text: d.text,
          ...d.metadata,
        }));
      },
    };
  },
};
