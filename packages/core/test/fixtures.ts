import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import {
  type BlockRow,
  type DgtEvent,
  defineBlock,
  defineBuilder,
  discoverPlugins,
} from '../src/index.js';
import { lmLikeSettings } from './lm-like-settings.js';

/** A temporary project folder with helpers to write files and read JSONL outputs back. */
export async function tempProject() {
  const dir = await mkdtemp(path.join(tmpdir(), 'dgt-core-'));
  return {
    dir,
    async write(file: string, text: string) {
      const full = path.join(dir, file);
      await mkdir(path.dirname(full), { recursive: true });
      await writeFile(full, text);
      return full;
    },
    async jsonl(file: string): Promise<Record<string, unknown>[]> {
      const text = await readFile(path.join(dir, file), 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));
    },
  };
}

/**
 * A real (if simple) LM-role block for core tests: replies with the prompt plus a running number,
 * or with what `replies` says for a prompt. Counts its requests.
 */
export function echoLmBlock(
  options: { replies?: (input: string, n: number) => string | undefined } = {},
) {
  const stats = { requests: 0, calls: 0 };
  const definition = defineBlock({
    role: 'lm',
    settings: lmLikeSettings,
    configSchema: z.looseObject({
      model_id_or_path: z.string().optional(),
      temperature: z.number().optional(),
    }),
    create(config) {
      return {
        specificationVersion: 'v1',
        kind: 'block',
        role: 'lm',
        type: config.type,
        name: config.name,
        async call(rows: BlockRow[], _options, ctx) {
          stats.calls++;
          for (const row of rows) {
            const n = ++stats.requests;
            const input = String(row.input);
            row.result = options.replies?.(input, n) ?? `${input} #${n}`;
            ctx.emit({
              type: 'lm-request',
              block: config.name,
              provider: 'echo',
              model: config.model_id_or_path ?? 'echo',
              task: row.task_name as string,
              ok: true,
              cached: false,
              promptTokens: 1,
              completionTokens: 1,
              durationMs: 0,
              retries: 0,
            });
          }
          return { rows };
        },
      };
    },
  });
  return { definition, stats };
}

/** A validator that drops rows whose `input` was seen before in the call. */
export const dedupBlock = defineBlock({
  role: 'validator',
  configSchema: z.looseObject({}),
  create(config) {
    return {
      specificationVersion: 'v1',
      kind: 'block',
      role: 'validator',
      type: config.type,
      name: config.name,
      async call(rows: BlockRow[]) {
        const seen = new Set<string>();
        const kept: BlockRow[] = [];
        const rejected = [];
        for (const row of rows) {
          const key = `${String(row.task_name)}\u0000${String(row.input)}`;
          if (seen.has(key)) rejected.push({ row, reason: 'duplicate' });
          else kept.push(row);
          seen.add(key);
        }
        return { rows: kept, rejected };
      },
    };
  },
});

/** A generation builder: one request per batch item, the reply becomes the `question`. */
export const questionBuilder = defineBuilder({
  kind: 'generation',
  name: 'test/questions',
  config: {
    name: 'test/questions',
    blocks: [
      { name: 'generator', type: 'echo', model_id_or_path: 'm1', temperature: 0.5, num_ctx: 4096 },
      { name: 'dedup', type: 'dedup', input_map: { question: 'input' } },
    ],
    postprocessors: ['dedup'],
  },
  inputSchema: z.looseObject({ question: z.string() }),
  async call(batch, ctx) {
    const rows = batch.map((item) => ({
      task_name: item.task_name,
      input: `from ${String(item.question)}`,
    }));
    const replies = await ctx.blocks.generator!(rows);
    return replies.map((reply) => ({
      task_name: String(reply.task_name),
      question: String(reply.result),
    }));
  },
});

/** A transformation builder that upper-cases `text`. */
export const upperBuilder = defineBuilder({
  kind: 'transformation',
  name: 'test/upper',
  config: { name: 'test/upper', blocks: [] },
  async call(batch) {
    return batch.map((record) => ({ ...record, text: String(record.text).toUpperCase() }));
  },
});

/** A registry holding the test plugins (plus core's datastores and formatters). */
export async function testRegistry(
  root: string,
  extra: Record<string, unknown> = {},
  blocks: Record<string, unknown> = {},
) {
  const echo = echoLmBlock();
  const registry = await discoverPlugins({
    projectRoot: root,
    builtins: {
      builders: {
        'test/questions': () => questionBuilder,
        'test/upper': () => upperBuilder,
        ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, () => v])),
      },
      blocks: {
        echo: () => echo.definition,
        dedup: () => dedupBlock,
        ...Object.fromEntries(Object.entries(blocks).map(([k, v]) => [k, () => v])),
      },
    },
  });
  return { registry, echo };
}

/** Collects events of a run. */
export function eventLog() {
  const events: DgtEvent[] = [];
  return {
    events,
    onEvent: (event: DgtEvent) => events.push(event),
    of: <T extends DgtEvent['type']>(type: T) =>
      events.filter((e): e is Extract<DgtEvent, { type: T }> => e.type === type),
  };
}
