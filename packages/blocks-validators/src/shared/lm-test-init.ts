import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import openaiBlock from '@dgt/blocks-lm/openai';
import type { BlockInitContext } from '@dgt/core';

/**
 * Test helper for blocks that call an LM of their own (judge, tagger, guardian): an init
 * context whose `createBlock` makes the real `openai` block, pointed at `baseURL` (a fake
 * server) with the request cache off.
 */
export async function initWithOpenAI(baseURL: string): Promise<Partial<BlockInitContext>> {
  const outputDir = await mkdtemp(path.join(tmpdir(), 'dgt-lm-block-'));
  const env = { OPENAI_API_KEY: 'test-key' };
  return {
    outputDir,
    env,
    createBlock: async (config) =>
      openaiBlock.create(
        {
          ...openaiBlock.configSchema.parse({ ...config, base_url: baseURL, cache: 'off' }),
          name: config.name ?? 'lm',
          type: config.type,
        },
        { outputDir, env },
      ),
  };
}
