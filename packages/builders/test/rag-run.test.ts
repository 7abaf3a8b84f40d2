import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { discoverPlugins, runTasks } from '@dgt/core';
import { scriptedReplies, startFakeOpenAI } from '@dgt/testing';
import { describe, expect, it } from 'vitest';
import { jsonl } from './read-jsonl.js';

const packageDir = path.resolve(import.meta.dirname, '..');

const CORPUS = [
  {
    id: 'bridge-1',
    text: 'The toll on the river bridge is two dollars for cars.',
    domain: 'roads',
  },
  { id: 'bridge-2', text: 'Trucks pay five dollars on the river bridge.', domain: 'roads' },
  { id: 'park-1', text: 'The city park opens at seven in the morning.', domain: 'parks' },
  { id: 'park-2', text: 'Dogs must be on a leash in the city park.', domain: 'parks' },
];

const task = (minTurns: number, maxTurns: number) => `task_name: rag
task_description: Questions about city services.
data_builder: public/rag/conversation
max_turns: ${maxTurns}
min_turns: ${minTurns}
tools:
  engines:
    files:
      type: search/file
      path: corpus.jsonl
      projection: {body: text, doc_id: id}
initialization_stages:
  - name: lm/scenario/rag
    generator: generator
    document_samplers:
      - {type: search/random, engine: files, group_by: domain, strategy: uniform, weight: 1.0}
    k: 2
iteration_stages:
  - name: lm/flow_controller/rag
    generator: generator
    termination_patterns: [rag/termination]
    patterns:
      - {name: rag/factoid, description: A factual question., hint: Ask a factual question.}
      - {name: rag/termination, description: The need is met.}
  - name: lm/user/rag
    generator: generator
  - name: lm/assistant/rag/static
    generator: generator
    max_retries: 2
formatter:
  type: formatters/conversation/rag/static
seed_examples:
  - steps: [{role: rag/scenario, content: A resident plans a weekend outing.}]
`;

/**
 * A scripted model. The first answer of every turn is ungrounded ("about 900 dollars"), the
 * grounding check says so, and the rewrite quotes the documents; with `stubborn`, answers are
 * never grounded.
 */
function model(stubborn = false) {
  return scriptedReplies([
    { when: 'set the scene', reply: '{"scenario": "A resident wants to know the rules."}' },
    {
      when: 'direct a conversation',
      reply: (req) =>
        JSON.stringify({
          reasoning: 'count',
          eligible_patterns:
            (req.prompt.match(/^User: /gm) ?? []).length >= 2
              ? ['rag/termination']
              : ['rag/factoid'],
        }),
    },
    { when: 'You play the user', reply: (req) => `Question number ${req.index}?` },
    {
      when: 'check whether an assistant',
      reply: (req) =>
        /Answer to check:\n[^\n]*900/.test(req.prompt)
          ? '{"reasoning": "no sentence says 900", "grounded": "no", "issues": "the 900 dollars figure is not in the documents"}'
          : '{"reasoning": "quoted", "grounded": "yes", "issues": ""}',
    },
    // The assistant: the first try in a turn is ungrounded; a rewrite request gets a quote.
    {
      when: 'was not grounded in the documents',
      reply: stubborn
        ? 'It costs about 900 dollars.'
        : 'The documents say the toll is two dollars.',
    },
    { when: () => true, reply: 'It costs about 900 dollars.' },
  ]);
}

async function setup(minTurns: number, maxTurns: number) {
  const dir = await mkdtemp(path.join(tmpdir(), 'dgt-rag-'));
  await writeFile(path.join(dir, 'task.yaml'), task(minTurns, maxTurns));
  await writeFile(
    path.join(dir, 'corpus.jsonl'),
    `${CORPUS.map((r) => JSON.stringify(r)).join('\n')}\n`,
  );
  return dir;
}

describe('public/rag/conversation', () => {
  it('grounds answers in sampled documents, rewriting those the check rejects', async () => {
    const dir = await setup(2, 4);
    const server = await startFakeOpenAI({ reply: model() });
    try {
      const registry = await discoverPlugins({ projectRoot: packageDir });
      const result = await runTasks({
        taskPaths: [path.join(dir, 'task.yaml')],
        cwd: dir,
        env: { DGT_CACHE_DIR: path.join(dir, '.dgt-cache') },
        registry,
        engine: { type: 'openai', model: 'm', baseUrl: server.baseURL },
        runner: { numOutputsToGenerate: 3, saveFormattedOutput: true },
      });
      expect(result.status).toBe('completed');
      const final = await jsonl(path.join(dir, 'output/rag/final_data.jsonl'));
      expect(final).toHaveLength(3);
      for (const record of final) {
        const steps = record.steps as { role: string; [k: string]: unknown }[];
        const scenario = steps[0]!;
        expect(scenario.role).toBe('rag/scenario');
        const documents = scenario.documents as { id: string; domain: string }[];
        expect(documents).toHaveLength(2);
        // group_by: domain keeps one conversation's documents on one subject.
        expect(new Set(documents.map((d) => d.domain)).size).toBe(1);
        const answers = steps.filter((s) => s.role === 'assistant');
        expect(answers).toHaveLength(2);
        for (const answer of answers) {
          expect(answer.content).toBe('The documents say the toll is two dollars.');
          expect(answer).toMatchObject({ scores: { faithfulness: 1 }, metadata: { rewrites: 1 } });
        }
      }
      // The rewrite request carries the check's issues; the assistant sees the full documents.
      const rewrite = server.requests.find((r) => r.prompt.includes('was not grounded'))!;
      expect(rewrite.prompt).toContain('the 900 dollars figure is not in the documents');
      expect(rewrite.body.messages as unknown[]).toHaveLength(4);
      const formatted = await jsonl(path.join(dir, 'output/rag/formatted_data.jsonl'));
      expect(formatted[0]).toEqual({
        conversation_id: final[0]!.conversation_id,
        messages: final[0]!.messages,
        documents: (final[0]!.steps as { documents?: unknown }[])[0]!.documents,
      });
    } finally {
      await server.close();
    }
  });

  it('rejects a conversation whose answer is never grounded, with the issues', async () => {
    const dir = await setup(2, 4);
    const server = await startFakeOpenAI({ reply: model(true) });
    try {
      const registry = await discoverPlugins({ projectRoot: packageDir });
      const result = await runTasks({
        taskPaths: [path.join(dir, 'task.yaml')],
        cwd: dir,
        env: { DGT_CACHE_DIR: path.join(dir, '.dgt-cache') },
        registry,
        engine: { type: 'openai', model: 'm', baseUrl: server.baseURL },
        runner: { numOutputsToGenerate: 1, seedBatchSize: 1, maxStalledRequests: 1 },
      });
      expect(result.tasks[0]!.accepted).toBe(0);
      const rejects = await jsonl(path.join(dir, 'output/rag/blocks/dropped.jsonl'));
      expect(rejects.length).toBeGreaterThan(0);
      expect(String(rejects[0]!.drop_reason)).toBe(
        'lm/assistant/rag/static (turn 1): the answer was not grounded in the documents after 2 rewrite(s): the 900 dollars figure is not in the documents',
      );
      // One answer and its check, then two rewrites each checked: 6 requests per turn tried.
      const perConversation = server.requests.filter((r) => r.prompt.includes('check whether'));
      expect(perConversation.length % 3).toBe(0);
    } finally {
      await server.close();
    }
  });
});
