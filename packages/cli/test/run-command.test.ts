import path from 'node:path';
import { type FakeLmServer, startFakeOllama, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, tempDir, writeGeneratorOverride } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const RATER = path.join(REPO, 'examples/qa-rater/task.yaml');

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function geographyThrough(type: 'openai' | 'ollama', server: FakeLmServer) {
  const dir = await tempDir();
  await writeGeneratorOverride(dir, type, server.baseURL);
  const result = await runCli(
    [
      'run',
      '--task-paths',
      GEOGRAPHY,
      '--config-path',
      'override.yaml',
      '--num-outputs-to-generate',
      '50',
      '--output-dir',
      'out',
    ],
    { cwd: dir },
  );
  return {
    dir,
    result,
    final: await readJsonl(path.join(dir, 'out/examples/geography_qa/final_data.jsonl')),
  };
}

describe('dgt run', () => {
  it('generates the geography example offline with --engine mock', async () => {
    const dir = await tempDir();
    const result = await runCli(
      ['run', '--task-paths', GEOGRAPHY, '--engine', 'mock', '--output-dir', 'out'],
      { cwd: dir },
    );
    expect(result.stderr).not.toContain('    at ');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/examples\/geography_qa\s+completed\s+20\/20/);
    expect(
      await readJsonl(path.join(dir, 'out/examples/geography_qa/final_data.jsonl')),
    ).toHaveLength(20);
  });

  it('writes exactly 50 distinct questions through an OpenAI-compatible server', async () => {
    const server = await startFakeOpenAI();
    servers.push(server);
    const { result, final } = await geographyThrough('openai', server);
    expect(result.code).toBe(0);
    expect(final).toHaveLength(50);
    expect(new Set(final.map((r) => r.question)).size).toBe(50);
    expect(server.stats.completed).toBeGreaterThanOrEqual(50);
    // Structured output was requested from the server.
    expect(server.requests[0]?.schema).toMatchObject({ required: ['question', 'answer'] });
  });

  it('writes exactly 50 distinct questions through an Ollama server', async () => {
    const server = await startFakeOllama();
    servers.push(server);
    const { result, final } = await geographyThrough('ollama', server);
    expect(result.code).toBe(0);
    expect(final).toHaveLength(50);
    expect(new Set(final.map((r) => r.question)).size).toBe(50);
  });

  it('falls back to the Question:/Answer: text format when the reply is not JSON', async () => {
    let n = 0;
    const server = await startFakeOpenAI({
      reply: () => `Question: Which city is number ${++n}?\nAnswer: City ${n}`,
    });
    servers.push(server);
    const { result, final } = await geographyThrough('openai', server);
    expect(result.code).toBe(0);
    expect(final[0]).toMatchObject({
      question: expect.stringMatching(/^Which city is number \d+\?$/),
      answer: expect.stringMatching(/^City \d+$/),
    });
  });

  it('switches every LM block with --engine/--model/--base-url and rates the QA example', async () => {
    const server = await startFakeOpenAI({
      reply: () =>
        '{"difficulty": "hard", "knowledge": "world capitals", "explanation": "few people know it"}',
    });
    servers.push(server);
    const dir = await tempDir();
    const result = await runCli(
      [
        'run',
        '--task-paths',
        RATER,
        '--engine',
        'openai',
        '--model',
        'judge',
        '--base-url',
        server.baseURL,
        '--output-dir',
        'out',
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    const final = await readJsonl(path.join(dir, 'out/examples/qa_ratings/final_data.jsonl'));
    expect(final).toHaveLength(10);
    expect(final[0]).toMatchObject({
      question: 'What is the capital of Canada?',
      ratings: { difficulty: 'hard', knowledge: 'world capitals' },
    });
    expect(server.requests[0]?.body.model).toBe('judge');
  });

  it('--json prints the run as NDJSON events', async () => {
    const dir = await tempDir();
    const result = await runCli(
      [
        'run',
        '--task-paths',
        GEOGRAPHY,
        '--engine',
        'mock',
        '--json',
        '--num-outputs-to-generate',
        '3',
        '--output-dir',
        'out',
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    expect(events[0]?.type).toBe('run-start');
    expect(events.at(-1)?.type).toBe('run-end');
    expect(events.some((e) => e.type === 'lm-request')).toBe(true);
  });

  it('exits 1 when a task cannot reach its target, naming the reason', async () => {
    const server = await startFakeOpenAI({
      faults: () => ({ status: 400, body: '{"error":{"message":"bad request"}}' }),
    });
    servers.push(server);
    const { result } = await geographyThrough('openai', server);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/examples\/geography_qa\s+(failed|stalled)/);
  });

  it('prints every flag in --help', async () => {
    const result = await runCli(['run', '--help'], { cwd: REPO });
    expect(result.code).toBe(0);
    for (const flag of [
      '--task-paths',
      '--config-path',
      '--num-outputs-to-generate',
      '--restart',
      '--engine',
      '--base-url',
      '--json',
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });
});
