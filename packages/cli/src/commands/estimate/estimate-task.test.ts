import { describe, expect, it } from 'vitest';
import { estimateTask } from './estimate-task.js';

const base = {
  kind: 'generation' as const,
  records: 20,
  lmBlocks: 1,
  descriptionChars: 400,
  exampleChars: [80, 120],
  examplesPerPrompt: 3,
  recordsPerRequest: 1,
  maxTokens: undefined,
};

describe('estimateTask', () => {
  it('sizes prompts from the description, examples and template, replies from the examples', () => {
    // (400 + 100 × 3 + 600) / 4 = 325 prompt tokens; 100 / 4 = 25 reply tokens; 20 requests.
    expect(estimateTask(base)).toEqual({
      requests: 20,
      promptTokens: 6500,
      completionTokens: 500,
      basis: 'seeds',
    });
    expect(estimateTask({ ...base, recordsPerRequest: 3, maxTokens: 50 })).toMatchObject({
      requests: 7,
      completionTokens: 7 * 50,
    });
  });

  it('prefers what an earlier run of the task observed', () => {
    const observed = {
      accepted: 10,
      lmRequests: 15,
      cacheHits: 0,
      promptTokens: 3000,
      completionTokens: 900,
    };
    expect(estimateTask({ ...base, observed })).toEqual({
      requests: 30,
      promptTokens: 6000,
      completionTokens: 1800,
      basis: 'observed',
    });
  });

  it('cannot estimate a transformation whose input size is unknown', () => {
    expect(estimateTask({ ...base, kind: 'transformation', records: undefined })).toBeUndefined();
  });
});
