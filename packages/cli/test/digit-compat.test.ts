import { existsSync } from 'node:fs';
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

describe.runIf(available)("DiGiT's spellings and conventions", () => {
  it('configs/public/examples/openai_qa.yaml applies unchanged with --base-url: the URL survives the new block type', async () => {
    const server = await startFakeOpenAI();
    servers.push(server);
    const dir = await tempDir();
    const result = await runCli(
      [
        'run',
        '--task-paths',
        path.join(COMPAT, 'tasks/public/examples/qa/task.yaml'),
        '--config-path',
        path.join(COMPAT, 'configs/public/examples/openai_qa.yaml'),
        '--base-url',
        server.baseURL,
        '--num-outputs-to-generate',
        '4',
        '--output-dir',
        'out',
      ],
      { cwd: dir, env: { ...env, OPENAI_API_KEY: 'sk-test' } },
    );
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    expect(server.requests[0]?.body.model).toBe('gpt-4o-mini');
  });

  it('an override in DiGiT spelling (max_new_tokens, model) replaces the default written as max_tokens', async () => {
    const server = await startFakeOpenAI();
    servers.push(server);
    const dir = await tempDir();
    await writeFile(
      path.join(dir, 'override.yaml'),
      [
        'databuilders:',
        '  public/examples/geography_qa:',
        '    blocks:',
        '      - name: generator',
        '        type: openai',
        '        model: small-model',
        `        base_url: ${server.baseURL}`,
        '        api_key: sk-test',
        '        max_new_tokens: 64',
        '',
      ].join('\n'),
    );
    const result = await runCli(
      [
        'run',
        '--task-paths',
        path.join(COMPAT, 'tasks/public/examples/qa/task.yaml'),
        '--config-path',
        'override.yaml',
        '--num-outputs-to-generate',
        '3',
        '--output-dir',
        'out',
      ],
      { cwd: dir, env },
    );
    expect(result.code).toBe(0);
    // The builder's own default is max_tokens: 256 and model granite4:3b.
    expect(server.requests[0]?.body.max_tokens).toBe(64);
    expect(server.requests[0]?.body.model).toBe('small-model');
  });
});

describe.runIf(available)("DiGiT's command line", () => {
  const TEMPORAL = path.join(
    COMPAT,
    'tasks/public/instructlab/simple/temporal_reasoning/task.yaml',
  );

  it('runs without a subcommand, reads ${DGT_DATA_DIR} as ./data, and honours --data-paths, --num-prompt-instructions, --prompt-file-path and --debug', async () => {
    const server = await startFakeOpenAI();
    servers.push(server);
    const dir = await tempDir();
    // No DGT_DATA_DIR in the environment: DiGiT's default, the data folder of the working directory.
    const { symlink } = await import('node:fs/promises');
    await symlink(path.join(COMPAT, 'data'), path.join(dir, 'data'));
    await writeFile(
      path.join(dir, 'prompt.txt'),
      'CUSTOM PROMPT with {{ examples | length }} examples, write {{ count }}.\n{% for e in examples %}Q: {{ e.question }}\n{% endfor %}Reply as JSON {"pairs": [{"question": "", "context": "", "answer": ""}]}.',
    );
    const result = await runCli(
      [
        '--data-paths',
        TEMPORAL,
        '--engine',
        'openai',
        '--model',
        'M',
        '--base-url',
        server.baseURL,
        '--num-prompt-instructions',
        '1',
        '--prompt-file-path',
        'prompt.txt',
        '--debug',
        '--include-namespaces',
        'public',
        '--ray-address',
        'auto',
        '--include-bp',
        'my_builders',
        '--num-outputs-to-generate',
        '3',
        '--output-dir',
        'out',
      ],
      { cwd: dir },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(
      await readJsonl(
        path.join(dir, 'out/public/instructlab/simple/temporal_reasoning/final_data.jsonl'),
      ),
    ).toHaveLength(3);
    expect(server.requests[0]!.prompt).toMatch(/^CUSTOM PROMPT with 1 examples/);
    expect(result.stderr).toMatch(/^debug: \{"type":"run-start"/m);
    expect(result.stderr).toContain('note: --include-namespaces has no effect');
    expect(result.stderr).toContain('note: --ray-address is ignored: DGT does not use Ray');
    expect(result.stderr).toContain('note: --include-bp is ignored');
  });
});

describe.runIf(available)("DiGiT's time_series task", () => {
  it('stops validate and run with one message saying why it cannot run in Node and what to use', async () => {
    const dir = await tempDir();
    const task = path.join(COMPAT, 'tasks/public/time_series/bikesharing_univariate/task.yaml');
    for (const command of [
      ['validate', task],
      ['--task-paths', task, '--engine', 'mock'],
    ]) {
      const result = await runCli(command, { cwd: dir, env });
      expect(result.code).toBe(2);
      const errors = result.stderr.split('\n').filter((line) => line.startsWith('dgt: error:'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('task.yaml:8: data_builder:');
      expect(errors[0]).toContain('SDForger');
      expect(errors[0]).toContain('vLLM inside the Python process');
      expect(errors[0]).toContain('Run this task with Python DiGiT');
      expect(result.stderr).not.toContain('unknown databuilder');
    }
    expect(existsSync(path.join(dir, 'output'))).toBe(false);
  });
});
