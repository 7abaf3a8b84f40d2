import { describe, expect, it } from 'vitest';
import {
  applyRunSettings,
  mergeBuilderConfig,
  type SettingsOf,
} from '../src/runner/builder-config.js';
import { lmHolderLikeSettings, lmLikeSettings } from './lm-like-settings.js';

const settingsFor =
  (lm: string[]): SettingsOf =>
  (type) =>
    lm.includes(type) ? lmLikeSettings : type === 'lm_judge' ? lmHolderLikeSettings : undefined;
const isLm = (type: string) => ['ollama', 'openai', 'mock'].includes(type);
const lmTypes = settingsFor(['ollama', 'openai', 'mock']);
const base = {
  name: 'b',
  blocks: [
    {
      name: 'generator',
      type: 'ollama',
      model_id_or_path: 'granite',
      temperature: 0.2,
      num_ctx: 4096,
    },
    { name: 'dedup', type: 'exact_dedup', filter: true, input_map: { question: 'input' } },
  ],
  postprocessors: ['dedup'],
};

describe('mergeBuilderConfig', () => {
  it('updates blocks by name and appends new ones', () => {
    const merged = mergeBuilderConfig(
      base,
      {
        blocks: [
          { name: 'dedup', filter: false },
          { name: 'judge', type: 'mock' },
        ],
      } as never,
      lmTypes,
    );
    expect(merged.blocks).toEqual([
      base.blocks[0],
      { name: 'dedup', type: 'exact_dedup', filter: false, input_map: { question: 'input' } },
      { name: 'judge', type: 'mock' },
    ]);
    expect(merged.postprocessors).toEqual(['dedup']);
  });

  it("keeps portable decoding keys but drops the old provider's own keys when the type changes", () => {
    const merged = mergeBuilderConfig(
      base,
      { blocks: [{ name: 'generator', type: 'openai', model_id_or_path: 'gpt' }] } as never,
      lmTypes,
    );
    expect((merged.blocks as unknown[])[0]).toEqual({
      name: 'generator',
      type: 'openai',
      model_id_or_path: 'gpt',
      temperature: 0.2,
    });
  });
});

describe('mergeBuilderConfig with DiGiT spellings', () => {
  const judgeIsLm = settingsFor(['ollama', 'openai', 'watsonx']);
  const defaults = {
    name: 'skills',
    blocks: [
      {
        name: 'generator',
        type: 'ollama',
        model: 'granite',
        max_tokens: 1024,
        stop_sequences: ['Q:'],
      },
      {
        name: 'validator',
        type: 'lm_judge',
        lm: {
          type: 'ollama',
          model_id_or_path: 'granite',
          temperature: 0.5,
          num_ctx: 8192,
          max_new_tokens: 1024,
        },
      },
    ],
  };

  it('lets an override in either spelling replace the default written in the other', () => {
    const merged = mergeBuilderConfig(
      defaults,
      {
        blocks: [
          { name: 'generator', model_id_or_path: 'llama', max_new_tokens: 64, stop: ['END'] },
        ],
      } as never,
      judgeIsLm,
    );
    expect((merged.blocks as unknown[])[0]).toEqual({
      name: 'generator',
      type: 'ollama',
      model_id_or_path: 'llama',
      max_new_tokens: 64,
      stop: ['END'],
    });
  });

  it('merges lm_config into lm: the override retypes it, portable defaults stay', () => {
    const merged = mergeBuilderConfig(
      defaults,
      {
        blocks: [
          {
            name: 'validator',
            lm_config: { type: 'watsonx', model_id_or_path: 'mistral', max_tokens: 256 },
          },
        ],
      } as never,
      judgeIsLm,
    );
    expect((merged.blocks as unknown[])[1]).toEqual({
      name: 'validator',
      type: 'lm_judge',
      lm_config: {
        type: 'watsonx',
        model_id_or_path: 'mistral',
        temperature: 0.5,
        max_tokens: 256,
      },
    });
  });
});

describe('applyRunSettings', () => {
  it('retargets only LM blocks, and drops the old model when no --model is given', () => {
    const out = applyRunSettings(base, { type: 'mock' }, lmTypes);
    expect((out.blocks as unknown[])[0]).toEqual({
      name: 'generator',
      type: 'mock',
      temperature: 0.2,
    });
    expect((out.blocks as unknown[])[1]).toBe(base.blocks[1]);
  });

  it('sets model and base URL on every LM block', () => {
    const out = applyRunSettings(base, { model: 'm', baseUrl: 'http://h' }, lmTypes);
    expect((out.blocks as unknown[])[0]).toMatchObject({
      type: 'ollama',
      model_id_or_path: 'm',
      base_url: 'http://h',
      num_ctx: 4096,
    });
  });

  it('sets the cache policy of every LM block (--no-cache)', () => {
    const out = applyRunSettings(base, { cache: 'off' }, lmTypes);
    expect((out.blocks as unknown[])[0]).toMatchObject({ type: 'ollama', cache: 'off' });
    expect((out.blocks as unknown[])[1]).not.toHaveProperty('cache');
  });

  it('keeps --no-cache when an override then changes the block type', () => {
    const flagged = applyRunSettings(base, { cache: 'off' }, lmTypes);
    const merged = mergeBuilderConfig(
      flagged,
      { blocks: [{ name: 'generator', type: 'openai', model_id_or_path: 'gpt' }] } as never,
      lmTypes,
    );
    expect((merged.blocks as unknown[])[0]).toMatchObject({ type: 'openai', cache: 'off' });
    expect((merged.blocks as unknown[])[0]).not.toHaveProperty('num_ctx');
  });

  it('keeps --base-url when an override then changes the block type', () => {
    const engine = { baseUrl: 'http://127.0.0.1:9/v1' };
    const flagged = applyRunSettings(base, engine, lmTypes);
    const merged = mergeBuilderConfig(
      flagged,
      { blocks: [{ name: 'generator', type: 'openai', model_id_or_path: 'gpt' }] } as never,
      lmTypes,
    );
    expect(applyRunSettings(merged, engine, lmTypes, 'after-overrides').blocks).toMatchObject([
      { type: 'openai', base_url: engine.baseUrl },
      { type: 'exact_dedup' },
    ]);
    expect(
      (applyRunSettings(merged, engine, lmTypes, 'after-overrides').blocks as object[])[1],
    ).not.toHaveProperty('base_url');
  });

  it('changes nothing without flags', () => {
    expect(applyRunSettings(base, {}, lmTypes)).toBe(base);
  });

  it('sets max_concurrency of every LM block and no other (--max-concurrency)', () => {
    const out = applyRunSettings(base, { maxConcurrency: 256 }, lmTypes);
    const blocks = out.blocks as Record<string, unknown>[];
    expect(blocks.filter((b) => b.max_concurrency === 256).map((b) => b.name)).toEqual(
      (base.blocks as { name: string; type: string }[])
        .filter((b) => isLm(b.type))
        .map((b) => b.name),
    );
  });
});
