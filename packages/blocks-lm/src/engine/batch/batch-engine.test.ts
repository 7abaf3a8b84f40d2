import Anthropic from '@anthropic-ai/sdk';
import { type FakeLmServer, startFakeAnthropic, startFakeOpenAI } from '@dgt/testing';
import OpenAI, * as openaiSdk from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { buildBody, readMessage } from '../../providers/anthropic.js';
import { tempCacheDir } from '../../test-utils.js';
import type { ProviderRequest } from '../provider.js';
import { createAnthropicBatchApi } from './anthropic-batch-api.js';
import type { BatchApi } from './batch-api.js';
import { BatchEngine, type BatchNotice } from './batch-engine.js';
import { type BatchJournal, openBatchJournal } from './journal.js';
import { createOpenAIBatchApi, OPENAI_LIMITS } from './openai-batch-api.js';

let servers: FakeLmServer[] = [];
let engines: BatchEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.map((e) => e.close()));
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  engines = [];
});

const request = (content: string): ProviderRequest => ({
  model: 'fake-model',
  method: 'chat_completion',
  messages: [{ role: 'user', content }],
  prompt: content,
  params: { max_tokens: 16 },
});

function engine(api: BatchApi, journal: BatchJournal, notices: BatchNotice[] = []) {
  const e = new BatchEngine({
    api,
    journal,
    settings: { gatherMs: 10, maxGatherMs: 1000, pollMs: 10, maxPollMs: 20 },
    online: async () => {
      throw new Error('no online request is expected');
    },
    store: () => undefined,
    notify: (n) => notices.push(n),
  });
  engines.push(e);
  return e;
}

/** A journal that dies (throws) when asked to record the first batch id, as a process killed at that instant. */
function dyingJournal(real: BatchJournal): BatchJournal & { died: boolean } {
  const journal = {
    ...real,
    died: false,
    submitted(...args: Parameters<BatchJournal['submitted']>) {
      if (!journal.died) {
        journal.died = true;
        throw new Error('killed before the batch id reached the disk');
      }
      real.submitted(...args);
    },
  };
  return journal;
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
};

async function crashBetweenCreateAndJournal(server: FakeLmServer, api: BatchApi, dir: string) {
  const journal = dyingJournal(openBatchJournal(dir, 'p', server.url));
  const first = engine(api, journal);
  void first.execute('k1', request('one')).catch(() => undefined);
  void first.execute('k2', request('two')).catch(() => undefined);
  await until(() => journal.died);
  await first.close();
  expect(server.batches).toHaveLength(1);
  expect(openBatchJournal(dir, 'p', server.url).unconfirmed()).toHaveLength(1);
}

describe('batch engine recovery', () => {
  it('finds an OpenAI batch whose id never reached the journal by its tag, and attaches to it', async () => {
    const server = await startFakeOpenAI({ batch: { delayMs: Number.POSITIVE_INFINITY } });
    servers.push(server);
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'k', maxRetries: 0 });
    const api = createOpenAIBatchApi({
      sdk: openaiSdk,
      client,
      chatMaxKey: 'max_tokens',
      path: '/v1/chat/completions',
      limits: OPENAI_LIMITS,
    });
    const dir = tempCacheDir();
    await crashBetweenCreateAndJournal(server, api, dir);

    const notices: BatchNotice[] = [];
    const second = engine(api, openBatchJournal(dir, 'p', server.url), notices);
    const answers = Promise.all([
      second.execute('k1', request('one')),
      second.execute('k2', request('two')),
    ]);
    await until(() => notices.some((n) => n.state === 're-attached'));
    server.finishBatches();
    const [a, b] = await answers;
    expect(a.ok && a.batched && b.ok && b.batched).toBe(true);
    expect(server.batches).toHaveLength(1);
    expect(openBatchJournal(dir, 'p', server.url).unconfirmed()).toHaveLength(0);
  });

  it('matches an Anthropic batch (no metadata) by size and time, and forgets a submission that never happened', async () => {
    const server = await startFakeAnthropic({ batch: { delayMs: Number.POSITIVE_INFINITY } });
    servers.push(server);
    const client = new Anthropic({ baseURL: server.baseURL, apiKey: 'k', maxRetries: 0 });
    const api = createAnthropicBatchApi(client, buildBody, readMessage);
    const dir = tempCacheDir();
    await crashBetweenCreateAndJournal(server, api, dir);
    // A submission begun but never created at the provider.
    openBatchJournal(dir, 'p', server.url).intent({ intent: 'lost', keys: ['k9'], at: Date.now() });

    const second = engine(api, openBatchJournal(dir, 'p', server.url));
    const answers = Promise.all([
      second.execute('k1', request('one')),
      second.execute('k2', request('two')),
    ]);
    await new Promise((r) => setTimeout(r, 50));
    server.finishBatches();
    const [a, b] = await answers;
    expect(a.ok && b.ok).toBe(true);
    expect(server.batches).toHaveLength(1);
    expect(openBatchJournal(dir, 'p', server.url).unconfirmed()).toHaveLength(0);
  });
});
