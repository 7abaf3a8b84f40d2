import { isDgtError } from '@dgt/core';
import { startFakeOpenAI } from '@dgt/testing';
import { describe, expect, it } from 'vitest';
import azureOpenAIBlock from './azure-openai.js';
import { callBlock, makeBlock } from './test-utils.js';

describe('azure-openai block', () => {
  it('calls the deployment path with api-version and the api-key header', async () => {
    const server = await startFakeOpenAI({ reply: () => 'hello from azure' });
    const block = await makeBlock(
      azureOpenAIBlock,
      {
        type: 'azure-openai',
        model_id_or_path: 'gpt-4o-mini',
        deployment: 'my-deploy',
        api_version: '2024-10-21',
      },
      { AZURE_OPENAI_ENDPOINT: server.url, AZURE_OPENAI_API_KEY: 'az-key' },
    );
    const rows: Record<string, unknown>[] = [{ input: 'hi' }];
    const { events } = await callBlock(block, rows);
    expect(rows[0]?.result).toBe('hello from azure');
    expect(server.requests[0]?.path).toBe('/openai/deployments/my-deploy/chat/completions');
    expect(events[0]).toMatchObject({ provider: 'azure-openai', model: 'gpt-4o-mini', ok: true });
    expect(events[0]?.costUsd).toBeGreaterThan(0);
    await block.close?.();
    await server.close();
  });

  it('names the missing endpoint and key', async () => {
    const noEndpoint = await makeBlock(azureOpenAIBlock, {
      type: 'azure-openai',
      model: 'm',
    }).catch((e: unknown) => e);
    expect(isDgtError(noEndpoint) && noEndpoint.message).toMatch(/AZURE_OPENAI_ENDPOINT/);
    const noKey = await makeBlock(azureOpenAIBlock, {
      type: 'azure-openai',
      model: 'm',
      endpoint: 'https://x.openai.azure.com',
    }).catch((e: unknown) => e);
    expect(isDgtError(noKey) && noKey.message).toMatch(/AZURE_OPENAI_API_KEY/);
  });
});
