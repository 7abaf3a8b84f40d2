import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlockDefinition } from '@dgt/core';
import { describe, expect, it } from 'vitest';
import azureOpenAIBlock from './azure-openai.js';
import ollamaBlock from './ollama.js';
import openaiBlock from './openai.js';
import watsonxBlock from './watsonx.js';

/** Creates a block as the runner would, for a run or for a check, with its own cache folder. */
async function create(
  definition: BlockDefinition,
  config: Record<string, unknown>,
  purpose: 'run' | 'check',
  env: Record<string, string> = {},
) {
  const cacheDir = join(mkdtempSync(join(tmpdir(), 'dgt-lm-check-')), 'cache');
  const parsed = definition.configSchema.parse({ name: 'generator', ...config });
  const block = await definition.create(parsed, {
    outputDir: '/tmp/dgt-test',
    env: { DGT_CACHE_DIR: cacheDir, ...env },
    purpose,
  });
  return { block, cacheDir };
}

describe('LM blocks created for a check (dgt validate)', () => {
  const providers: [string, BlockDefinition, Record<string, unknown>, Record<string, string>][] = [
    ['openai', openaiBlock, { base_url: 'http://127.0.0.1:9/v1' }, {}],
    ['ollama', ollamaBlock, {}, {}],
    ['azure-openai', azureOpenAIBlock, { endpoint: 'https://r.openai.azure.com' }, {}],
    ['watsonx', watsonxBlock, { project_id: 'p' }, { WATSONX_URL: 'https://w.example' }],
  ];

  for (const [type, definition, config, env] of providers) {
    it(`${type}: opens no request cache, while a run opens it`, async () => {
      const keyed = { ...config, type, model_id_or_path: 'm', api_key: 'sk-test' };
      const check = await create(definition, keyed, 'check', env);
      await check.block.close?.();
      expect(existsSync(check.cacheDir)).toBe(false);

      const run = await create(definition, keyed, 'run', env);
      await run.block.close?.();
      expect(existsSync(join(run.cacheDir, 'lm-cache.sqlite'))).toBe(true);
    });
  }

  it('still fails on what a run would fail on: no key for api.openai.com', async () => {
    await expect(
      create(openaiBlock, { type: 'openai', model_id_or_path: 'gpt-4o-mini' }, 'check'),
    ).rejects.toMatchObject({
      code: 'MISSING_CREDENTIALS',
      message: expect.stringContaining('OPENAI_API_KEY'),
    });
  });
});
