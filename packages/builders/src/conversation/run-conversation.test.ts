import { createRandom } from '@dgt/core';
import { describe, expect, it } from 'vitest';
import { runConversation, type TaskStages } from './run-conversation.js';
import type { ConversationStageV1, StageCallContext } from './stage.js';
import type { Conversation } from './steps.js';

function stage(
  name: string,
  act: (c: Conversation, ctx: StageCallContext) => boolean,
): ConversationStageV1 {
  return {
    specificationVersion: 'v1',
    kind: 'conversation-stage',
    name,
    async run(conversations, ctx) {
      return conversations.filter((c) => act(c, ctx));
    },
  };
}

const turn = (role: string) =>
  stage(`t/${role}`, (c) => {
    c.steps.push({ role, content: `${role} ${c.steps.length}` });
    return true;
  });

const context = () => ({
  examples: [],
  random: createRandom(1),
  signal: new AbortController().signal,
  emit: () => undefined,
});

const start = (): Conversation => ({ task_name: 't', conversation_id: 'c', steps: [] });

function stages(iteration: ConversationStageV1[], minTurns: number, maxTurns: number): TaskStages {
  return { initialization: [], iteration, termination: [], minTurns, maxTurns };
}

describe('runConversation', () => {
  it('stops at max_turns with whole exchanges', async () => {
    const outcome = await runConversation(
      start(),
      stages([turn('user'), turn('assistant')], 1, 3),
      context,
    );
    expect(outcome.ok && outcome.turns).toBe(3);
    expect(outcome.conversation.steps.map((s) => s.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
  });

  it('keeps a conversation dropped mid-turn after min_turns as it was before that turn', async () => {
    const failing = stage('t/assistant', (c, ctx) => {
      if (c.steps.filter((s) => s.role === 'user').length === 3) {
        ctx.drop(c, 'no reply');
        return false;
      }
      c.steps.push({ role: 'assistant', content: 'ok' });
      return true;
    });
    const outcome = await runConversation(start(), stages([turn('user'), failing], 2, 5), context);
    expect(outcome.ok).toBe(true);
    expect(outcome.conversation.steps.map((s) => s.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
  });

  it('fails a conversation dropped before min_turns, naming the stage, turn and reason', async () => {
    const failing = stage('t/assistant', (c, ctx) => {
      ctx.drop(c, 'no reply');
      return false;
    });
    const outcome = await runConversation(start(), stages([turn('user'), failing], 2, 5), context);
    expect(outcome).toMatchObject({ ok: false, reason: 't/assistant (turn 1): no reply' });
  });

  it('ends when the flow controller says so, not before min_turns', async () => {
    const controller = stage('fc', (c) => {
      c.steps.push({ role: 'flow_controller', content: 'x', terminate: true });
      return true;
    });
    const early = await runConversation(start(), stages([controller, turn('user')], 1, 5), context);
    expect(early).toMatchObject({ ok: false });
    expect(!early.ok && early.reason).toContain('fewer than min_turns 1');
  });
});
