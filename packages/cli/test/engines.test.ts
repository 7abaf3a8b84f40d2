import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  FAKE_WATSONX_API_KEY,
  type FakeLmServer,
  startFakeAnthropic,
  startFakeGemini,
  startFakeOllama,
  startFakeOpenAI,
  startFakeWatsonx,
} from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, tempDir } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const FINAL = 'out/examples/geography_qa/final_data.jsonl';

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** Writes an override giving the geography builder's `generator` these keys. */
async function override(dir: string, keys: Record<string, string | number>) {
  const lines = Object.entries(keys)
    .map(([key, value]) => `        ${key}: ${value}\n`)
    .join('');
  await writeFile(
    path.join(dir, 'override.yaml'),
    `databuilders:\n  public/examples/geography_qa:\n    blocks:\n      - name: generator\n${lines}`,
  );
}

const engines: {
  type: string;
  start: () => Promise<FakeLmServer>;
  keys: (server: FakeLmServer) => Record<string, string | number>;
  env: (server: FakeLmServer) => Record<string, string>;
}[] = [
  {
    type: 'openai',
    start: () => startFakeOpenAI(),
    keys: (s) => ({ type: 'openai', model_id_or_path: 'gpt-4o-mini', base_url: s.baseURL }),
    env: () => ({ OPENAI_API_KEY: 'sk-test' }),
  },
  {
    type: 'azure-openai',
    start: () => startFakeOpenAI(),
    keys: () => ({
      type: 'azure-openai',
      model_id_or_path: 'gpt-4o-mini',
      deployment: 'geo',
      api_version: '2024-10-21',
    }),
    env: (s) => ({ AZURE_OPENAI_ENDPOINT: s.url, AZURE_OPENAI_API_KEY: 'az-test' }),
  },
  {
    type: 'ollama',
    start: () => startFakeOllama(),
    keys: (s) => ({ type: 'ollama', model_id_or_path: 'granite4:3b', base_url: s.url }),
    env: () => ({}),
  },
  {
    type: 'anthropic',
    start: () => startFakeAnthropic(),
    keys: (s) => ({ type: 'anthropic', model_id_or_path: 'claude-haiku-4-5', base_url: s.baseURL }),
    env: () => ({ ANTHROPIC_API_KEY: 'sk-ant-test' }),
  },
  {
    type: 'watsonx',
    start: () => startFakeWatsonx(),
    keys: () => ({ type: 'watsonx', model_id_or_path: 'ibm/granite-3-8b-instruct' }),
    env: (s) => ({
      WATSONX_URL: s.url,
      WATSONX_IAM_URL: s.url,
      WATSONX_API_KEY: FAKE_WATSONX_API_KEY,
      WATSONX_PROJECT_ID: 'proj',
    }),
  },
  {
    // @dgt/provider-gemini, shipped with the CLI and written on the public defineLmProvider seam.
    type: 'gemini',
    start: () => startFakeGemini(),
    keys: (s) => ({ type: 'gemini', model_id_or_path: 'gemini-2.5-flash', base_url: s.baseURL }),
    env: () => ({ GEMINI_API_KEY: 'test-gemini-key' }),
  },
  {
    type: 'mock',
    start: () => startFakeOpenAI(),
    keys: () => ({ type: 'mock' }),
    env: () => ({}),
  },
];

describe('the geography example reaches its target through every engine type', () => {
  for (const engine of engines) {
    it(`${engine.type}, selected with --config-path`, async () => {
      const server = await engine.start();
      servers.push(server);
      const dir = await tempDir();
      await override(dir, engine.keys(server));
      const result = await runCli(
        [
          'run',
          '--task-paths',
          GEOGRAPHY,
          '--config-path',
          'override.yaml',
          '--num-outputs-to-generate',
          '12',
          '--output-dir',
          'out',
        ],
        { cwd: dir, env: engine.env(server) },
      );
      expect(result.stderr).not.toContain('error');
      expect(result.code).toBe(0);
      const final = await readJsonl(path.join(dir, FINAL));
      expect(final).toHaveLength(12);
      expect(new Set(final.map((r) => r.question)).size).toBe(12);
      // The server in front of the engine answered the requests (the mock needs none).
      if (engine.type !== 'mock') expect(server.stats.completed).toBeGreaterThanOrEqual(12);
    });
  }
});

describe('request cache and rate limits through dgt run', () => {
  it('a --restart rerun with the cache on makes no LM request', async () => {
    const server = await startFakeOpenAI();
    servers.push(server);
    const dir = await tempDir();
    await override(dir, { type: 'openai', model_id_or_path: 'm', base_url: server.baseURL });
    const args = [
      'run',
      '--task-paths',
      GEOGRAPHY,
      '--config-path',
      'override.yaml',
      '--num-outputs-to-generate',
      '30',
      '--output-dir',
      'out',
      '--json',
    ];
    const first = await runCli(args, { cwd: dir });
    expect(first.code).toBe(0);
    const calls = server.stats.requests;
    expect(calls).toBeGreaterThanOrEqual(30);
    const before = await readJsonl(path.join(dir, FINAL));

    const again = await runCli([...args, '--restart'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(server.stats.requests).toBe(calls);
    const end = again.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .at(-1);
    expect(end).toMatchObject({ type: 'run-end', status: 'completed' });
    expect(end.tasks[0]).toMatchObject({ cacheHits: end.tasks[0].lmRequests });
    expect(await readJsonl(path.join(dir, FINAL))).toEqual(before);
  });

  it('a server limited to 20 requests/s yields every record, nothing lost', async () => {
    const server = await startFakeOpenAI({
      rateLimit: { requestsPerSecond: 20, retryAfterSeconds: 0.2 },
    });
    servers.push(server);
    const dir = await tempDir();
    await override(dir, {
      type: 'openai',
      model_id_or_path: 'm',
      base_url: server.baseURL,
      max_concurrency: 16,
    });
    const result = await runCli(
      [
        'run',
        '--task-paths',
        GEOGRAPHY,
        '--config-path',
        'override.yaml',
        '--num-outputs-to-generate',
        '40',
        '--output-dir',
        'out',
        '--no-cache',
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    expect(await readJsonl(path.join(dir, FINAL))).toHaveLength(40);
    // The limit was really hit, and every throttled request was retried, not dropped.
    expect(server.stats.rejected).toBeGreaterThan(0);
    expect(result.stdout).toMatch(/examples\/geography_qa\s+completed\s+40\/40/);
  }, 30_000);
});
