import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type FakeLmServer, type FakeServerOptions, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, tempDir } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const FINAL = 'out/examples/geography_qa/final_data.jsonl';

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** Runs the geography example (20 records) against a fake OpenAI server with these options. */
async function runAgainst(
  options: FakeServerOptions,
  blockKeys: Record<string, string | number> = {},
  target = 20,
) {
  const server = await startFakeOpenAI(options);
  servers.push(server);
  const dir = await tempDir();
  const keys = {
    type: 'openai',
    model_id_or_path: 'm',
    base_url: server.baseURL,
    retry_initial_delay: 0.01,
    ...blockKeys,
  };
  await writeFile(
    path.join(dir, 'override.yaml'),
    `databuilders:\n  public/examples/geography_qa:\n    blocks:\n      - name: generator\n${Object.entries(
      keys,
    )
      .map(([k, v]) => `        ${k}: ${v}\n`)
      .join('')}`,
  );
  const started = Date.now();
  const result = await runCli(
    [
      'run',
      '--task-paths',
      GEOGRAPHY,
      '--config-path',
      'override.yaml',
      '--num-outputs-to-generate',
      String(target),
      '--output-dir',
      'out',
      '--no-cache',
    ],
    { cwd: dir },
  );
  const [summary] = await readJsonl(path.join(dir, 'out/examples/geography_qa/task_results.jsonl'));
  return {
    server,
    dir,
    result,
    summary,
    seconds: (Date.now() - started) / 1000,
    final: await readJsonl(path.join(dir, FINAL)),
  };
}

describe('provider faults: retries recover, and what cannot recover stops with its reason', () => {
  it('recovers from a storm of HTTP 500s', async () => {
    const { result, final, server } = await runAgainst({ faults: [{ status: 500, times: 25 }] });
    expect(result.code).toBe(0);
    expect(final).toHaveLength(20);
    expect(server.stats.rejected).toBe(25);
  });

  it('recovers from a storm of 429s with Retry-After', async () => {
    const { result, final, server } = await runAgainst({
      faults: [{ status: 429, times: 30, retryAfterSeconds: 0.05 }],
    });
    expect(result.code).toBe(0);
    expect(final).toHaveLength(20);
    expect(server.stats.rejected).toBe(30);
  });

  it('retries requests that time out', async () => {
    const { result, final } = await runAgainst(
      { latencyMs: (req) => (req.index < 5 ? 3_000 : 0) },
      { timeout: 0.3 },
    );
    expect(result.code).toBe(0);
    expect(final).toHaveLength(20);
  });

  it('retries truncated and non-JSON response bodies', async () => {
    const { result, final, summary } = await runAgainst({
      faults: [
        { status: 200, body: '{"id":"chatcmpl-1","object":"chat.completion","choi', times: 4 },
        { status: 200, body: '<html>bad gateway</html>', times: 4 },
      ],
    });
    expect(result.code).toBe(0);
    expect(final).toHaveLength(20);
    // Retried, not given up on: no request ended as a failure.
    expect(summary).toMatchObject({ lmFailures: 0 });
  });

  it('drops replies that violate the requested schema and keeps going', async () => {
    // Every other reply is JSON of the wrong shape (and not Question:/Answer: text either).
    const { result, final, server } = await runAgainst({
      reply: (req) =>
        req.index % 2 === 0
          ? '{"topic": "rivers"}'
          : JSON.stringify({ question: `Q${req.index}?`, answer: `A${req.index}` }),
    });
    expect(result.code).toBe(0);
    expect(final).toHaveLength(20);
    expect(final.every((r) => /^Q\d+\?$/.test(String(r.question)))).toBe(true);
    // Each bad reply got one repair request before it was dropped.
    expect(server.stats.requests).toBeGreaterThan(20);
  });

  it('stops a task whose every reply is unusable, with the reason, and exits 1', async () => {
    const { result, final } = await runAgainst({ reply: () => 'I would rather not.' });
    expect(result.code).toBe(1);
    // The stall limit or the request cap, whichever the commits reach first: both say why.
    expect(result.stdout).toMatch(/examples\/geography_qa\s+(stalled|max-requests)/);
    expect(result.stdout).toMatch(
      /attempts in a row produced no new record|50 per record after the first 100 \(max_requests_per_record\)/,
    );
    expect(final).toHaveLength(0);
  });

  it('stops on the failure threshold when most requests fail for good', async () => {
    const { result } = await runAgainst(
      { faults: () => ({ status: 400, body: '{"error":{"message":"model not found"}}' }) },
      {},
      40,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('failure threshold');
    expect(result.stdout).toContain('model not found');
  });

  it('fails fast, naming the URL, when the server is unreachable', async () => {
    const dead = await startFakeOpenAI();
    const url = dead.baseURL;
    await dead.close();
    const dir = await tempDir();
    const started = Date.now();
    const result = await runCli(
      [
        'run',
        '--task-paths',
        GEOGRAPHY,
        '--engine',
        'openai',
        '--model',
        'm',
        '--base-url',
        url,
        '--output-dir',
        'out',
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.stdout).toContain(`cannot reach ${url}`);
  });

  it('names the missing API key variable, exit 2, before any request', async () => {
    const dir = await tempDir();
    const result = await runCli(
      [
        'run',
        '--task-paths',
        GEOGRAPHY,
        '--engine',
        'openai',
        '--model',
        'gpt-4o-mini',
        '--output-dir',
        'out',
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('OPENAI_API_KEY');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
