import { isDgtError } from '@dgt/core';
import { type FakeLmServer, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { callBlock, makeBlock } from './test-utils.js';
import vllmBlock from './vllm.js';

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe('vllm-remote block', () => {
  it('talks to the named OpenAI-compatible server without an API key', async () => {
    const server = await startFakeOpenAI({ reply: () => 'from vLLM' });
    servers.push(server);
    const block = await makeBlock(
      vllmBlock,
      { type: 'vllm-remote', model_id_or_path: 'openai/gpt-oss-20b', base_url: server.baseURL },
      {},
    );
    const rows: Record<string, unknown>[] = [{ input: 'hi' }];
    const { events } = await callBlock(block, rows);
    expect(rows[0]?.result).toBe('from vLLM');
    expect(server.requests[0]?.body.model).toBe('openai/gpt-oss-20b');
    expect(events[0]).toMatchObject({ ok: true });
  });

  it('refuses to start without a server instead of calling api.openai.com', async () => {
    const error = await makeBlock(vllmBlock, { type: 'vllm-server', model: 'm' }, {}).catch(
      (e: unknown) => e,
    );
    expect(isDgtError(error)).toBe(true);
    expect((error as Error).message).toContain('base_url');
  });
});
