import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { discoverPlugins, runTasks } from '@dgt/core';
import { type FakeRequest, startFakeOpenAI } from '@dgt/testing';
import { describe, expect, it } from 'vitest';
import { jsonl } from './read-jsonl.js';

const packageDir = path.resolve(import.meta.dirname, '..');

const TASK = `task_name: chat
task_description: Friendly small talk.
created_by: DGT tests
data_builder: core/conversation
max_turns: 4
min_turns: 2
initialization_stages:
  - name: lm/scenario
    generator: generator
    num_icl_examples: 1
  - name: sample/persona
    persona_store:
      type: default
      data_path: personas.jsonl
iteration_stages:
  - name: lm/flow_controller
    generator: generator
    termination_patterns: [chat/end]
    patterns:
      - {name: chat/ask, description: The user asks something new., hint: Ask about something new.}
      - {name: chat/end, description: The user says goodbye., hint: Say goodbye.}
  - name: lm/user/guided
    generator: generator
  - name: lm/assistant/naive
    generator: generator
formatter:
  type: formatters/conversation/messages
seed_examples:
  - conversation_id: seed-1
    steps:
      - {role: scenario, content: A gardener wants advice on tomatoes.}
`;

const PERSONAS = `{"role": "retired teacher", "expertise": "beginner", "domain": "gardening", "goals": ["grow vegetables"], "personality": {"openness": 0.8}}
`;

/**
 * A scripted model: scenarios, flow decisions (go on until two user turns, then end), user and
 * assistant turns, each recognised by its prompt. Replies take `delayMs`, and the peak number
 * of requests in flight at once is recorded.
 */
function scriptedModel(delayMs: number, assistant?: (n: number) => string) {
  const state = { inFlight: 0, peak: 0, assistantTurns: 0 };
  const reply = async (req: FakeRequest) => {
    state.inFlight++;
    state.peak = Math.max(state.peak, state.inFlight);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    state.inFlight--;
    if (req.prompt.includes('set the scene'))
      return JSON.stringify({ scenario: `Someone plans a trip, variant ${req.index}.` });
    if (req.prompt.includes('direct a conversation')) {
      const turns = (req.prompt.match(/^User: /gm) ?? []).length;
      return JSON.stringify({
        reasoning: 'by turn count',
        eligible_patterns: turns >= 2 ? ['chat/end'] : ['chat/ask'],
      });
    }
    if (req.prompt.includes('You play the user')) return `User message ${req.index}?`;
    state.assistantTurns++;
    return assistant ? assistant(state.assistantTurns) : `Assistant reply ${req.index}.`;
  };
  return { state, reply };
}

async function setup() {
  const dir = await mkdtemp(path.join(tmpdir(), 'dgt-conversation-'));
  await writeFile(path.join(dir, 'task.yaml'), TASK);
  await writeFile(path.join(dir, 'personas.jsonl'), PERSONAS);
  return dir;
}

describe('core/conversation', () => {
  it('runs conversations concurrently through scenario, persona, flow controller and turns', async () => {
    const dir = await setup();
    const model = scriptedModel(30);
    const server = await startFakeOpenAI({ reply: model.reply });
    try {
      const registry = await discoverPlugins({ projectRoot: packageDir });
      const result = await runTasks({
        taskPaths: [path.join(dir, 'task.yaml')],
        cwd: dir,
        env: { DGT_CACHE_DIR: path.join(dir, '.dgt-cache') },
        registry,
        engine: { type: 'openai', model: 'm', baseUrl: server.baseURL },
        runner: { numOutputsToGenerate: 4, seedBatchSize: 4, saveFormattedOutput: true },
      });
      expect(result.status).toBe('completed');
      const final = await jsonl(path.join(dir, 'output/chat/final_data.jsonl'));
      expect(final).toHaveLength(4);
      for (const record of final) {
        const steps = record.steps as { role: string; [k: string]: unknown }[];
        expect(steps.map((s) => s.role)).toEqual([
          'scenario',
          'persona',
          ...['flow_controller', 'user', 'assistant', 'flow_controller', 'user', 'assistant'],
          'flow_controller',
        ]);
        expect(steps[1]).toMatchObject({ persona_role: 'retired teacher', target: 'user' });
        expect(steps.at(-1)).toMatchObject({ content: 'chat/end', terminate: true });
        const messages = record.messages as { role: string }[];
        expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
      }
      // Every conversation's first request was in flight together: they run concurrently.
      expect(model.state.peak).toBeGreaterThanOrEqual(4);
      // The seed's scenario is shown as an example; the persona reaches the user prompt.
      const prompts = server.requests.map((r) => r.prompt);
      expect(prompts.find((p) => p.includes('set the scene'))).toContain('tomatoes');
      expect(prompts.find((p) => p.includes('You play the user'))).toContain('retired teacher');
      const formatted = await jsonl(path.join(dir, 'output/chat/formatted_data.jsonl'));
      expect(formatted[0]).toEqual({
        conversation_id: final[0]!.conversation_id,
        messages: final[0]!.messages,
      });
    } finally {
      await server.close();
    }
  });

  it('stores a conversation dropped before min_turns as a reject with the stage and reason', async () => {
    const dir = await setup();
    // The very first assistant turn comes back empty: that conversation cannot reach min_turns.
    const model = scriptedModel(1, (n) => (n === 1 ? '   ' : `Assistant reply ${n}.`));
    const server = await startFakeOpenAI({ reply: model.reply });
    try {
      const registry = await discoverPlugins({ projectRoot: packageDir });
      const result = await runTasks({
        taskPaths: [path.join(dir, 'task.yaml')],
        cwd: dir,
        env: { DGT_CACHE_DIR: path.join(dir, '.dgt-cache') },
        registry,
        engine: { type: 'openai', model: 'm', baseUrl: server.baseURL },
        runner: { numOutputsToGenerate: 2, seedBatchSize: 1 },
      });
      expect(result.status).toBe('completed');
      expect(await jsonl(path.join(dir, 'output/chat/final_data.jsonl'))).toHaveLength(2);
      const rejects = await jsonl(path.join(dir, 'output/chat/blocks/dropped.jsonl'));
      expect(rejects).toHaveLength(1);
      expect(JSON.stringify(rejects[0])).toContain(
        'lm/assistant/naive (turn 1): the assistant turn came back empty',
      );
    } finally {
      await server.close();
    }
  });

  it('refuses a task naming an unknown stage before any LM call, listing the known ones', async () => {
    const dir = await setup();
    await writeFile(
      path.join(dir, 'task.yaml'),
      TASK.replace('name: lm/user/guided', 'name: lm/user/guidde'),
    );
    const server = await startFakeOpenAI({});
    try {
      const registry = await discoverPlugins({ projectRoot: packageDir });
      const run = runTasks({
        taskPaths: [path.join(dir, 'task.yaml')],
        cwd: dir,
        env: { DGT_CACHE_DIR: path.join(dir, '.dgt-cache') },
        registry,
        engine: { type: 'openai', model: 'm', baseUrl: server.baseURL },
        runner: { numOutputsToGenerate: 1 },
      });
      await expect(run).rejects.toThrow(/unknown stage "lm\/user\/guidde".*lm\/user\/guided/);
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});
