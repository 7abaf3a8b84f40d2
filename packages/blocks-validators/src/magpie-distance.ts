import { createHash } from 'node:crypto';
import { type BlockRow, defineBlock } from '@dgt/core';
import { z } from 'zod';
import { tagSubject } from './magpie-tag.js';
import { cosine, DEFAULT_EMBEDDER, embedderConfigSchema, openEmbedder } from './shared/embedder.js';

/** Config of `magpie_distance` (DiGiT's keys; `sentence_model` names an Ollama embedding model). */
export const magpieDistanceConfigSchema = z.looseObject({
  /** The embedding model (an LM block config), or `lexical`. Default: Ollama `nomic-embed-text`. */
  embedder: embedderConfigSchema.optional(),
  /** DiGiT's model name; used as the default embedder's model when `embedder` is not given. */
  sentence_model: z.string().optional(),
  /**
   * Squared L2 distance between unit embeddings below which two rows are near-duplicates
   * (DiGiT's knob; 0.05 = cosine similarity 0.975).
   */
  distance_threshold: z.number().min(0).max(4).default(0.05),
});

/** A stable id for a row without one: a hash of what it asks. */
export function contentId(row: BlockRow): string {
  const basis = JSON.stringify([
    row.magpie_input ?? null,
    row.magpie_output ?? null,
    row.magpie_mt_input ?? null,
  ]);
  return createHash('sha256').update(basis).digest('hex').slice(0, 16);
}

type Member = { id: string; vector: Float32Array; canonical: string };

/**
 * `magpie_distance`: finds near-duplicate rows by embedding, as DiGiT's Magpie distance block.
 * Each row's request (`magpie_input`, or the user turns of `magpie_mt_input`) is embedded; rows
 * whose squared distance is under `distance_threshold` (cosine ≥ 1 − threshold/2) form a
 * cluster, whose canonical member is the one seen in an earlier call, else the smallest `id`.
 * The row's `magpie_tags` gets `min_similar_uuid` (the canonical id), `duplicate` (false for the
 * one row of each cluster to keep), `repeat_count` and `min_neighbor_distance`; `magpie_filter`
 * with `remove_duplicates` keeps only the rows that are not duplicates.
 * Rows without an `id` get one (a hash of their content). Search is exact; inside a builder,
 * earlier calls of the same task are remembered for the run; as a postprocessor, the call's
 * rows are compared with each other only.
 */
export const magpieDistanceBlock = defineBlock({
  role: 'transform',
  description:
    'Marks near-duplicate instructions by embedding distance (Magpie), for magpie_filter.',
  configSchema: magpieDistanceConfigSchema,
  async create(config, ctx) {
    const embedder = await openEmbedder(
      config.embedder ??
        (config.sentence_model && !config.sentence_model.includes('/')
          ? { ...DEFAULT_EMBEDDER, model_id_or_path: config.sentence_model }
          : DEFAULT_EMBEDDER),
      config,
      ctx,
    );
    const similarity = 1 - config.distance_threshold / 2;
    const seen = new Map<string, Member[]>();
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'transform',
      type: config.type,
      name: config.name,
      async call(rows, _options, callCtx) {
        const byTask = new Map<string, BlockRow[]>();
        for (const row of rows) {
          const task = String(row.task_name ?? '');
          byTask.set(task, [...(byTask.get(task) ?? []), row]);
        }
        for (const [task, own] of byTask) {
          // As a postprocessor the block sees every record of the task at once, possibly again
          // after more were made: it compares them with each other only.
          const earlier = callCtx.phase === 'postprocess' ? [] : (seen.get(task) ?? []);
          if (callCtx.phase !== 'postprocess') seen.set(task, earlier);
          const texts = own.map((row) => tagSubject(row)?.query ?? '');
          const vectors = await embedder.embed(texts, callCtx, task);
          const ids = own.map((row) => (row.id == null ? contentId(row) : String(row.id)));
          // Union-find over this call's rows; a cluster touching an earlier row takes its id.
          const parent = own.map((_, i) => i);
          const root = (i: number): number => {
            if (parent[i] !== i) parent[i] = root(parent[i]!);
            return parent[i]!;
          };
          const nearestDistance = own.map(() => Number.POSITIVE_INFINITY);
          const earlierMatch = own.map(() => undefined as string | undefined);
          for (let i = 0; i < own.length; i++) {
            for (const member of earlier) {
              const s = cosine(vectors[i]!, member.vector);
              nearestDistance[i] = Math.min(nearestDistance[i]!, 2 - 2 * s);
              if (
                s >= similarity &&
                (earlierMatch[i] === undefined || member.canonical < earlierMatch[i]!)
              )
                earlierMatch[i] = member.canonical;
            }
            for (let j = 0; j < i; j++) {
              const s = cosine(vectors[i]!, vectors[j]!);
              const distance = 2 - 2 * s;
              nearestDistance[i] = Math.min(nearestDistance[i]!, distance);
              nearestDistance[j] = Math.min(nearestDistance[j]!, distance);
              if (s >= similarity) parent[root(i)] = root(j);
            }
          }
          const clusters = new Map<number, number[]>();
          own.forEach((_, i) => {
            clusters.set(root(i), [...(clusters.get(root(i)) ?? []), i]);
          });
          for (const members of clusters.values()) {
            const fromEarlier = members
              .map((i) => earlierMatch[i])
              .filter((id): id is string => id !== undefined);
            const canonical = fromEarlier.length
              ? fromEarlier.sort()[0]!
              : members.map((i) => ids[i]!).sort()[0]!;
            // One row per cluster is kept: the first holding the canonical id, unless an earlier
            // call kept the cluster already (identical records share an id, so ids alone do not
            // single one out).
            const keeper = fromEarlier.length ? -1 : members.find((i) => ids[i] === canonical);
            for (const i of members) {
              const row = own[i]!;
              row.id = ids[i];
              const tags =
                row.magpie_tags && typeof row.magpie_tags === 'object'
                  ? (row.magpie_tags as Record<string, unknown>)
                  : {};
              // Written into the row's own tags object, so callers see it through an input_map.
              Object.assign(tags, {
                min_similar_uuid: canonical,
                duplicate: i !== keeper,
                repeat_count: members.length - 1 + (fromEarlier.length ? 1 : 0),
                min_neighbor_distance: Number.isFinite(nearestDistance[i]!)
                  ? Math.max(0, Math.round(nearestDistance[i]! * 1e6) / 1e6)
                  : null,
              });
              row.magpie_tags = tags;
              earlier.push({ id: ids[i]!, vector: vectors[i]!, canonical });
            }
          }
        }
        return { rows };
      },
    };
  },
});

export default magpieDistanceBlock;
