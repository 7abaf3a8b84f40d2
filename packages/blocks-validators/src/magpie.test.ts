import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import openaiBlock from '@dgt/blocks-lm/openai';
import type { BlockInitContext, BlockRow } from '@dgt/core';
import { type FakeLmServer, type FakeRequest, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { magpieDistanceBlock } from './magpie-distance.js';
import { magpieFilterBlock } from './magpie-filter.js';
import { magpieTagBlock, readTags } from './magpie-tag.js';
import { callContext, makeBlock } from './shared/make-block.js';

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** A rater: the question "Something vague" is poor, the answer "This is wrong." scores 1. */
function rater(req: FakeRequest): string {
  const p = req.prompt;
  if (p.includes('Rate how well the user'))
    return JSON.stringify({
      explanation: 'ok',
      input_quality: p.includes('Something vague') ? 'poor' : 'excellent',
    });
  if (p.includes('how hard'))
    return JSON.stringify({ intent: 'learn', knowledge: 'geography', difficulty: 'easy' });
  if (p.includes('Classify'))
    return JSON.stringify({ primary_tag: 'Information seeking', other_tags: ['Others'] });
  return JSON.stringify({
    explanation: 'checked',
    score: p.includes('This is wrong.') ? '1' : '5',
  });
}

const embedTopic = (text: string) =>
  ['nile', 'paris', 'everest', 'vague'].map((t) => (text.toLowerCase().includes(t) ? 1 : 0));

async function init(dir: string): Promise<Partial<BlockInitContext>> {
  const server = await startFakeOpenAI({ reply: rater, embed: embedTopic });
  servers.push(server);
  return {
    outputDir: dir,
    env: {},
    createBlock: async (config) =>
      openaiBlock.create(
        {
          ...openaiBlock.configSchema.parse({
            ...config,
            base_url: server.baseURL,
            api_key: 'k',
            cache: 'off',
          }),
          name: config.name ?? 'lm',
          type: config.type,
        },
        { outputDir: dir, env: {} },
      ),
  };
}

describe('magpie blocks', () => {
  it('tag, distance and filter keep good, distinct rows and say why the others go', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-magpie-'));
    const ctx = await init(dir);
    const lm = { type: 'openai', model_id_or_path: 'rater' };
    const tagger = await makeBlock(
      magpieTagBlock,
      { name: 'tagger', lm_config: lm, tag_task: 'all' },
      ctx,
    );
    const distance = await makeBlock(magpieDistanceBlock, { name: 'dedup', embedder: lm }, ctx);
    const filter = await makeBlock(
      magpieFilterBlock,
      {
        name: 'filter',
        filter: true,
        filter_criteria: { input_quality: ['good', 'excellent'], sample_quality: ['4', '5'] },
      },
      ctx,
    );
    const rows: BlockRow[] = [
      {
        task_name: 't',
        id: 'b',
        magpie_input: 'How long is the Nile?',
        magpie_output: 'About 6,650 km.',
      },
      {
        task_name: 't',
        id: 'a',
        magpie_input: 'What is the length of the river Nile?',
        magpie_output: 'Roughly 6,650 km.',
      },
      { task_name: 't', id: 'c', magpie_input: 'Where is Paris?', magpie_output: 'This is wrong.' },
      { task_name: 't', id: 'd', magpie_input: 'Something vague', magpie_output: 'Fine.' },
      {
        task_name: 't',
        id: 'e',
        magpie_mt_input: [
          { role: 'user', content: 'How high is Everest?' },
          { role: 'assistant', content: '8,849 m.' },
        ],
      },
    ];
    await tagger.call(rows, undefined, callContext());
    expect(rows[0]!.magpie_tags).toMatchObject({
      input_quality: 'excellent',
      difficulty: 'easy',
      task_category: 'Information seeking',
      sample_quality: '5',
      metadata: { label_model: 'rater' },
    });
    await distance.call(rows, undefined, callContext());
    // The two Nile questions are one cluster; its canonical member is the smaller id.
    expect(
      rows.map((r) => (r.magpie_tags as { min_similar_uuid: string }).min_similar_uuid),
    ).toEqual(['a', 'a', 'c', 'd', 'e']);
    const out = await filter.call(rows, undefined, callContext());
    expect(out.rows.map((r) => r.id)).toEqual(['a', 'e']);
    expect(Object.fromEntries(out.rejected!.map((r) => [r.row.id, r.reason]))).toEqual({
      b: 'near-duplicate of a',
      c: 'sample_quality "1" is not one of 4, 5',
      d: 'input_quality "poor" is not one of good, excellent',
    });
  });

  it('reads tags from structured output or salvages them from text, and says why it cannot', () => {
    expect(
      readTags('quality', { result: 'Rating: {"input_quality": "Good", "explanation": "x"}' }),
    ).toMatchObject({
      input_quality: 'good',
    });
    expect(readTags('sample_quality', { result: '"score": "4/5" because' })).toMatchObject({
      sample_quality: '4',
    });
    expect(readTags('difficulty', { result: 'no idea' })).toBe(
      'no difficulty level in the reply: no idea',
    );
  });

  it('the filter rejects invalid tag values and rows whose tagging failed', async () => {
    const filter = await makeBlock(magpieFilterBlock, { name: 'filter', filter: true });
    const out = await filter.call(
      [
        { task_name: 't', magpie_input: 'q', field: { input_quality: 'great' } },
        {
          task_name: 't',
          magpie_input: 'q',
          field: {
            sample_quality: '5',
            metadata: { errors: { quality: 'the request failed: 500' } },
          },
        },
      ],
      undefined,
      callContext(),
    );
    expect(out.rejected!.map((r) => r.reason)).toEqual([
      'invalid input_quality "great" (expected one of very poor, poor, average, good, excellent)',
      'no input_quality tag (the tagger: the request failed: 500)',
    ]);
  });

  it('as a postprocessor, magpie_distance compares the rows with each other only, every time', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-magpie-'));
    const ctx = await init(dir);
    const distance = await makeBlock(
      magpieDistanceBlock,
      { name: 'dedup', embedder: { type: 'openai', model_id_or_path: 'e' } },
      ctx,
    );
    const rows = () => [
      { task_name: 't', id: 'x', magpie_input: 'Where is Paris?' },
      { task_name: 't', id: 'y', magpie_input: 'Paris is where?' },
    ];
    for (let run = 0; run < 2; run++) {
      const out = await distance.call(rows(), undefined, {
        ...callContext(),
        phase: 'postprocess',
      });
      expect(out.rows.map((r) => (r.magpie_tags as { duplicate: boolean }).duplicate)).toEqual([
        false,
        true,
      ]);
    }
  });
});
