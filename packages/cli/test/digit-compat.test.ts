import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type FakeLmServer, startFakeOllama, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { compatAvailable } from './compat-fixtures.js';
import { COMPAT, readJsonl, runCli, tempDir } from './run-cli.js';

// DiGiT's own task, config and data files live in ../shared beside the repository (CI has it);
// they are read from there, never copied into the project.
const available = compatAvailable();
const env = { DGT_DATA_DIR: path.join(COMPAT, 'data') };

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe.runIf(available)("DiGiT's example files run unchanged", () => {
  it('tasks/public/examples/qa/task.yaml generates through an Ollama server', async () => {
    const server = await startFakeOllama();
    servers.push(server);
    const dir = await tempDir();
    const result = await runCli(
      [
        'run',
        '--task-paths',
        path.join(COMPAT, 'tasks/public/examples/qa/task.yaml'),
        '--engine',
        'ollama',
        '--base-url',
        server.url,
        '--num-outputs-to-generate',
        '12',
        '--output-dir',
        'out',
      ],
      { cwd: dir, env },
    );
    expect(result.stderr).not.toContain('error');
    // DiGiT's files carry no key that looks like a typo of one we know.
    expect(result.stderr).not.toContain('warning:');
    expect(result.code).toBe(0);
    const final = await readJsonl(
      path.join(dir, 'out/public/examples/geography_qa/final_data.jsonl'),
    );
    expect(final).toHaveLength(12);
    expect(final[0]).toMatchObject({ task_name: 'public/examples/geography_qa', is_seed: false });
    // The DiGiT seeds are the in-context examples shown to the model.
    expect(server.requests[0]?.prompt).toMatch(/Question: .+\nAnswer: .+/);
  });

  it('tasks/public/examples/rate/task.yaml rates every record of its data file', async () => {
    const server = await startFakeOpenAI({
      reply: () =>
        '```json\n{"difficulty": "medium", "knowledge": "geography", "explanation": "common trivia"}\n```',
    });
    servers.push(server);
    const dir = await tempDir();
    const result = await runCli(
      [
        'run',
        '--task-paths',
        path.join(COMPAT, 'tasks/public/examples/rate/task.yaml'),
        '--engine',
        'openai',
        '--model',
        'judge',
        '--base-url',
        server.baseURL,
        '--output-dir',
        'out',
      ],
      { cwd: dir, env },
    );
    expect(result.stderr).not.toContain('warning:');
    expect(result.code).toBe(0);
    const input = await readJsonl(path.join(COMPAT, 'data/public/examples/rate/data.jsonl'));
    const final = await readJsonl(
      path.join(dir, 'out/public/examples/qa_ratings/final_data.jsonl'),
    );
    expect(final).toHaveLength(input.length);
    expect(final.map((r) => r.question)).toEqual(input.map((r) => r.question));
    expect(final.every((r) => (r.ratings as { difficulty: string }).difficulty === 'medium')).toBe(
      true,
    );
  });

  it('configs/public/examples/openai_qa.yaml applies (with a base URL added): OpenAI generator, seeds from a datastore', async () => {
    const server = await startFakeOpenAI();
    servers.push(server);
    const dir = await tempDir();
    const original = await readFile(
      path.join(COMPAT, 'configs/public/examples/openai_qa.yaml'),
      'utf8',
    );
    const withBaseUrl = original.replace(
      /(\n(\s+)model_id_or_path: .*\n)/,
      `$1$2base_url: ${server.baseURL}\n`,
    );
    expect(withBaseUrl).toContain('base_url:');
    await writeFile(path.join(dir, 'openai_qa.yaml'), withBaseUrl);
    const result = await runCli(
      [
        'run',
        '--task-paths',
        path.join(COMPAT, 'tasks/public/examples/qa/task.yaml'),
        '--config-path',
        'openai_qa.yaml',
        '--num-outputs-to-generate',
        '8',
        '--output-dir',
        'out',
      ],
      { cwd: dir, env },
    );
    expect(result.stderr).not.toContain('warning:');
    expect(result.code).toBe(0);
    expect(server.requests[0]?.body.model).toBe('gpt-4o-mini');
    expect(
      await readJsonl(path.join(dir, 'out/public/examples/geography_qa/final_data.jsonl')),
    ).toHaveLength(8);
    const [card] = await readJsonl(
      path.join(dir, 'out/public/examples/geography_qa/task_card.jsonl'),
    );
    expect((card!.task_config as Record<string, unknown>).seed_examples).toBeUndefined();
    expect((card!.task_config as Record<string, unknown>).seed_datastore).toMatchObject({
      type: 'default',
    });
  });
});
