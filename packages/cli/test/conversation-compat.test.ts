import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lexicalEmbedding } from '@dgt/core';
import { type FakeLmServer, type FakeRequest, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { COMPAT, readJsonl, runCli, tempDir } from './run-cli.js';

// DiGiT's own task, config and data files are read from ../shared beside the repository (CI has
// them), never copied into the project.
const available = existsSync(COMPAT);
const env = { DGT_DATA_DIR: path.join(COMPAT, 'data') };
const CHIT_CHAT = path.join(COMPAT, 'tasks/public/examples/chit_chat/task.yaml');
// DiGiT ships four multi_doc2dial tasks (dmv, ssa, studentaid, va) that differ only in their
// data folder; dmv is the one kept beside the repository.
const DMV = path.join(COMPAT, 'tasks/public/rag/static/multi_doc2dial/dmv/task.yaml');
const MAGPIE = path.join(COMPAT, 'tasks/public/magpie/task.yaml');

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function openai() {
  const server = await startFakeOpenAI();
  servers.push(server);
  return server;
}

/** Records are produced, or every shortfall is a reject stored with its reason. */
async function expectRecordsOrReasons(taskDir: string, target: number) {
  const final = await readJsonl(path.join(taskDir, 'final_data.jsonl'));
  expect(final.length).toBeGreaterThan(0);
  if (final.length < target) {
    const rejects = await readJsonl(path.join(taskDir, 'blocks/dropped.jsonl'));
    expect(rejects.length).toBeGreaterThan(0);
  }
  return final;
}

describe.runIf(available)("DiGiT's conversation task files run unchanged", () => {
  it('tasks/public/examples/chit_chat/task.yaml against an OpenAI-compatible server', async () => {
    const server = await openai();
    const dir = await tempDir();
    const result = await runCli(
      [
        'run',
        '--task-paths',
        CHIT_CHAT,
        ...['--engine', 'openai', '--model', 'M', '--base-url', server.baseURL],
        ...['--num-outputs-to-generate', '4', '--output-dir', 'out'],
      ],
      { cwd: dir, env },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('warning:');
    const out = path.join(dir, 'out/public/examples/chit_chat');
    const final = await expectRecordsOrReasons(out, 4);
    expect(final).toHaveLength(4);
    for (const record of final) {
      const messages = record.messages as { role: string }[];
      expect(messages.length).toBeGreaterThanOrEqual(4); // min_turns: 2
      expect(messages.length).toBeLessThanOrEqual(12); // the flow controller's max_turns: 6
      expect(messages[0]!.role).toBe('user');
    }
    // save_formatted_output: true in the task file; DiGiT's messages formatter.
    const formatted = await readJsonl(path.join(out, 'formatted_data.jsonl'));
    expect(formatted[0]).toEqual({
      conversation_id: final[0]!.conversation_id,
      messages: final[0]!.messages,
    });
    // A persona of DiGiT's persona file reaches the user prompts.
    expect(server.requests.map((r) => r.prompt).join('\n')).toMatch(
      /curious student|busy professional|retired hobbyist/,
    );
  });

  it('tasks/public/examples/chit_chat/task.yaml with --engine mock', async () => {
    const dir = await tempDir();
    const result = await runCli(
      [
        'run',
        '--task-paths',
        CHIT_CHAT,
        ...['--engine', 'mock', '--num-outputs-to-generate', '3', '--output-dir', 'out'],
      ],
      { cwd: dir, env },
    );
    expect(result.code, result.stderr).toBe(0);
    await expectRecordsOrReasons(path.join(dir, 'out/public/examples/chit_chat'), 3);
  });

  it('configs/public/examples/openai_chit_chat.yaml applies (with a base URL added)', async () => {
    const server = await openai();
    const dir = await tempDir();
    const original = await readFile(
      path.join(COMPAT, 'configs/public/examples/openai_chit_chat.yaml'),
      'utf8',
    );
    const withBaseUrl = original.replace(
      /(\n(\s+)model_id_or_path: .*\n)/,
      `$1$2base_url: ${server.baseURL}\n`,
    );
    await writeFile(path.join(dir, 'openai_chit_chat.yaml'), withBaseUrl);
    const result = await runCli(
      [
        'run',
        '--task-paths',
        CHIT_CHAT,
        '--config-path',
        'openai_chit_chat.yaml',
        ...['--num-outputs-to-generate', '2', '--output-dir', 'out'],
      ],
      { cwd: dir, env },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('warning:');
    expect(server.requests[0]?.body.model).toBe('gpt-4o-mini');
    await expectRecordsOrReasons(path.join(dir, 'out/public/examples/chit_chat'), 2);
  });

  it('tasks/public/rag/static/multi_doc2dial/dmv/task.yaml against an OpenAI-compatible server', async () => {
    const server = await openai();
    const dir = await tempDir();
    const result = await runCli(
      [
        'run',
        '--task-paths',
        DMV,
        ...['--engine', 'openai', '--model', 'M', '--base-url', server.baseURL],
        ...['--num-outputs-to-generate', '3', '--output-dir', 'out'],
      ],
      { cwd: dir, env },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('warning:');
    const out = path.join(dir, 'out/public/rag/static/multi_doc2dial/dmv');
    const final = await expectRecordsOrReasons(out, 3);
    const corpus = await readJsonl(
      path.join(COMPAT, 'data/public/rag/static/multi_doc2dial/dmv/documents.jsonl'),
    );
    const ids = new Set(corpus.map((d) => d.id));
    for (const record of final) {
      const messages = record.messages as { role: string }[];
      expect(messages.length).toBeGreaterThanOrEqual(6); // min_turns: 3
      const scenario = (record.steps as { role: string; documents?: { id: string }[] }[])[0]!;
      expect(scenario.role).toBe('rag/scenario');
      expect(scenario.documents).toHaveLength(3); // k: 3
      for (const document of scenario.documents!) expect(ids.has(document.id)).toBe(true);
    }
    // formatters/conversation/rag/static: the turns and the documents they were grounded in.
    const formatted = await readJsonl(path.join(out, 'formatted_data.jsonl'));
    expect(Object.keys(formatted[0]!)).toEqual(['conversation_id', 'messages', 'documents']);
    // Every answer was checked for grounding against the documents.
    expect(server.requests.some((r) => r.prompt.includes('grounded'))).toBe(true);
  });

  it('tasks/public/rag/static/multi_doc2dial/dmv/task.yaml with --engine mock', async () => {
    const dir = await tempDir();
    const result = await runCli(
      [
        'run',
        '--task-paths',
        DMV,
        ...['--engine', 'mock', '--num-outputs-to-generate', '2', '--output-dir', 'out'],
      ],
      { cwd: dir, env },
    );
    expect(result.code, result.stderr).toBe(0);
    await expectRecordsOrReasons(path.join(dir, 'out/public/rag/static/multi_doc2dial/dmv'), 2);
  });

  it('tasks/public/magpie/task.yaml: tags, removes near-duplicates by embedding, filters', async () => {
    // An embedding model for which "What is the name of X?" means "What is X?".
    const meaning = (text: string) =>
      text
        .toLowerCase()
        .replace(/the name of /g, '')
        .trim();
    // A rater that approves everything, so only near-duplicates are filtered out.
    const reply = (req: FakeRequest) => {
      const properties = (req.schema?.properties ?? {}) as Record<string, unknown>;
      if ('input_quality' in properties) return '{"explanation": "clear", "input_quality": "good"}';
      if ('score' in properties) return '{"explanation": "correct", "score": "5"}';
      if ('difficulty' in properties)
        return '{"intent": "a fact", "knowledge": "geography", "difficulty": "easy"}';
      return '{"primary_tag": "Information seeking", "other_tags": []}';
    };
    const server = await startFakeOpenAI({
      reply,
      embed: (text) => lexicalEmbedding(meaning(text)),
    });
    servers.push(server);
    const dir = await tempDir();
    const result = await runCli(
      [
        'run',
        '--task-paths',
        MAGPIE,
        ...['--engine', 'openai', '--model', 'M', '--base-url', server.baseURL],
        ...['--output-dir', 'out'],
      ],
      { cwd: dir, env },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('warning:');
    const input = await readJsonl(path.join(COMPAT, 'data/public/magpie/data.jsonl'));
    const distinct = new Set(input.map((r) => meaning(String(r.question))));
    expect(distinct.size).toBeLessThan(input.length);
    const final = await readJsonl(path.join(dir, 'out/magpie/final_data.jsonl'));
    expect(final).toHaveLength(distinct.size);
    expect(new Set(final.map((r) => meaning(String(r.question)))).size).toBe(distinct.size);
    for (const record of final) {
      expect(record.magpie_tags).toMatchObject({
        input_quality: 'good',
        sample_quality: '5',
        difficulty: 'easy',
        task_category: 'Information seeking',
        min_similar_uuid: record.id,
      });
    }
    const rejects = await readJsonl(path.join(dir, 'out/magpie/blocks/filter.jsonl'));
    expect(rejects).toHaveLength(input.length - distinct.size);
    for (const reject of rejects) expect(String(reject._reason)).toMatch(/^near-duplicate of /);
    expect(server.requests.some((r) => r.path === '/v1/embeddings')).toBe(true);
  });

  it('tasks/public/magpie/task.yaml with --engine mock', async () => {
    const dir = await tempDir();
    const result = await runCli(
      ['run', '--task-paths', MAGPIE, '--engine', 'mock', '--output-dir', 'out'],
      { cwd: dir, env },
    );
    expect(result.code, result.stderr).toBe(0);
    const input = await readJsonl(path.join(COMPAT, 'data/public/magpie/data.jsonl'));
    const final = await readJsonl(path.join(dir, 'out/magpie/final_data.jsonl'));
    const rejects = await readJsonl(path.join(dir, 'out/magpie/blocks/filter.jsonl'));
    // Every record is either kept or rejected with a reason.
    expect(final.length + rejects.length).toBe(input.length);
    for (const reject of rejects) expect(String(reject._reason)).not.toBe('');
  });
});
