import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineBlock } from '../src/contracts/define.js';
import type { BlockDefinition } from '../src/contracts/v1/block.js';
import {
  knownBlockKeys,
  nearMisses,
  schemaKeys,
  unknownKeyWarnings,
} from '../src/runner/unknown-keys.js';
import { lmLikeSettings } from './lm-like-settings.js';

// The shape of @dgt/blocks-lm's LM config (core cannot import it): loose, so extra keys reach
// the provider.
const lmSchema = z.looseObject({
  model_id_or_path: z.string().optional(),
  base_url: z.string().optional(),
  temperature: z.number().optional(),
  max_tokens: z.number().optional(),
  max_new_tokens: z.number().optional(),
  top_p: z.number().optional(),
  stop: z.array(z.string()).optional(),
  seed: z.number().optional(),
  n: z.number().optional(),
  num_ctx: z.number().optional(),
  decoding_method: z.enum(['greedy', 'sample']).optional(),
});
const lmBlock = defineBlock({
  role: 'lm',
  settings: lmLikeSettings,
  configSchema: lmSchema,
  create: () => {
    throw new Error('not created in these tests');
  },
});
const validatorBlock = defineBlock({
  role: 'validator',
  configSchema: z.looseObject({
    filter: z.boolean().default(false),
    threshold: z.number().default(1.1),
    score_func: z.enum(['f1', 'precision', 'recall']).default('f1'),
  }),
  create: () => {
    throw new Error('not created in these tests');
  },
});

function warningsFor(definition: BlockDefinition, config: Record<string, unknown>) {
  const entry = { name: 'generator', type: 'openai', ...config };
  return unknownKeyWarnings({
    config: entry,
    definition,
    parsed: definition.configSchema.parse(entry),
    where: (key) => `builder.yaml:${Object.keys(entry).indexOf(key) + 1}`,
  });
}

describe('nearMisses', () => {
  const known = [...knownBlockKeys(lmBlock)!];

  it.each([
    ['temprature', 'temperature'],
    ['tempreature', 'temperature'],
    ['max_token', 'max_tokens'],
    ['maxTokens', 'max_tokens'],
    ['max-new-tokens', 'max_new_tokens'],
    ['stop_sequence', 'stop_sequences'],
    ['random_sed', 'random_seed'],
    ['input_mapp', 'input_map'],
    ['ouput_map', 'output_map'],
    ['filer', 'filter'],
    ['modle_id_or_path', 'model_id_or_path'],
    ['topP', 'top_p'],
  ])('%s is a near miss of %s', (typo, meant) => {
    expect(nearMisses(typo, known)).toEqual([meant]);
  });

  it.each([
    'top_k',
    'min_p',
    'num_ctx',
    'repetition_penalty',
    'repeat_penalty',
    'num_predict',
    'min_tokens',
    'min_new_tokens',
    'presence_penalty',
    'frequency_penalty',
    'typical_p',
    'batch_size',
    'init_tokenizer',
    'auto_chat_template',
    'lm_config',
    'arg_fields',
    'result_field',
    'tensor_parallel_size',
    'keep_alive',
    'store',
  ])('%s is not reported', (key) => {
    expect(nearMisses(key, known, lmLikeSettings.passThroughKeys)).toEqual([]);
  });

  it('short keys only match case or separator variants', () => {
    expect(nearMisses('N', ['n'])).toEqual(['n']);
    expect(nearMisses('k', ['n'])).toEqual([]);
    expect(nearMisses('lm', ['l'])).toEqual([]);
  });
});

describe('schemaKeys', () => {
  const object = z.looseObject({ a: z.string(), b: z.number().optional() });

  it('reads object shapes through the common wrappers', () => {
    expect(schemaKeys(object)).toEqual(new Set(['a', 'b']));
    expect(schemaKeys(object.default({ a: 'x' }))).toEqual(new Set(['a', 'b']));
    expect(schemaKeys(object.optional().nullable())).toEqual(new Set(['a', 'b']));
    expect(schemaKeys(z.preprocess((v) => v, object))).toEqual(new Set(['a', 'b']));
    expect(schemaKeys(object.transform((v) => v))).toEqual(new Set(['a', 'b']));
    expect(schemaKeys(object.extend({ c: z.boolean() }))).toEqual(new Set(['a', 'b', 'c']));
    expect(schemaKeys(z.intersection(object, z.object({ c: z.string() })))).toEqual(
      new Set(['a', 'b', 'c']),
    );
    expect(schemaKeys(z.union([object, z.object({ d: z.string() })]))).toEqual(
      new Set(['a', 'b', 'd']),
    );
  });

  it('gives up when the keys cannot be known', () => {
    expect(schemaKeys(z.record(z.string(), z.unknown()))).toBeUndefined();
    expect(schemaKeys(z.lazy(() => object))).toBeUndefined();
    expect(schemaKeys(z.intersection(object, z.record(z.string(), z.string())))).toBeUndefined();
    expect(schemaKeys(undefined)).toBeUndefined();
  });
});

describe('unknownKeyWarnings', () => {
  it('names the place, the block, the typo and the key meant, for LM blocks', () => {
    expect(warningsFor(lmBlock, { model_id_or_path: 'm', temprature: 0.7 })).toEqual([
      'builder.yaml:4 block "generator" (openai): unknown key "temprature" — did you mean "temperature"? It is passed to the provider as is.',
    ]);
  });

  it('says the key is ignored for other blocks', () => {
    expect(warningsFor(validatorBlock, { filer: true, threshold: 0.9 })).toEqual([
      'builder.yaml:3 block "generator" (openai): unknown key "filer" — did you mean "filter"? It is ignored.',
    ]);
  });

  it('stays silent for real provider parameters and DiGiT keys', () => {
    expect(
      warningsFor(lmBlock, {
        model_id_or_path: 'm',
        temperature: 0.7,
        top_k: 50,
        min_p: 0.05,
        num_ctx: 8192,
        repetition_penalty: 1.1,
        num_predict: 64,
        decoding_method: 'sample',
        min_new_tokens: 1,
        batch_size: 256,
        call_limit: 8,
        input_map: { question: 'input' },
      }),
    ).toEqual([]);
  });

  it('reports nothing when the schema keys cannot be determined', () => {
    const opaque = defineBlock({
      role: 'validator',
      configSchema: z.record(z.string(), z.unknown()),
      create: () => {
        throw new Error('not created in these tests');
      },
    });
    expect(warningsFor(opaque, { thresold: 1 })).toEqual([]);
  });
});
