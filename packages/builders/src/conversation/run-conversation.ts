import type { ConversationStageV1, StageCallContext } from './stage.js';
import { type Conversation, lastStep } from './steps.js';

/** The stages of one task, resolved from its task file. */
export type TaskStages = {
  initialization: ConversationStageV1[];
  iteration: ConversationStageV1[];
  termination: ConversationStageV1[];
  maxTurns: number;
  minTurns: number;
};

/** How one conversation ended. */
export type ConversationOutcome =
  | { ok: true; conversation: Conversation; turns: number }
  | { ok: false; conversation: Conversation; reason: string };

type CallContextFor = (stage: ConversationStageV1) => Omit<StageCallContext, 'drop'>;

function terminated(conversation: Conversation): boolean {
  return lastStep(conversation, 'flow_controller')?.terminate === true;
}

/**
 * Runs one conversation through its task's stages: setup stages once, then the turn loop
 * (every iteration stage in order, once per turn) until the flow controller ends it or
 * `maxTurns` turns are done, then the termination stages. A conversation a stage drops after
 * `minTurns` complete turns is kept as it was at the start of the turn (so it ends on a whole
 * exchange); one dropped earlier, or ended by the flow controller before `minTurns`, is
 * returned as a failure with the reason.
 */
export async function runConversation(
  start: Conversation,
  stages: TaskStages,
  contextFor: CallContextFor,
): Promise<ConversationOutcome> {
  let why: string | undefined;
  const runStage = async (stage: ConversationStageV1, conversation: Conversation) => {
    why = undefined;
    const out = await stage.run([conversation], {
      ...contextFor(stage),
      drop: (_conversation, reason) => {
        why = reason;
      },
    });
    return out.find((c) => c.conversation_id === conversation.conversation_id);
  };
  const fail = (conversation: Conversation, stage: ConversationStageV1, turn?: number) => ({
    ok: false as const,
    conversation,
    reason: `${stage.name}${turn !== undefined ? ` (turn ${turn + 1})` : ''}: ${why ?? 'the stage dropped the conversation'}`,
  });

  let conversation = start;
  for (const stage of stages.initialization) {
    const next = await runStage(stage, conversation);
    if (!next) return fail(conversation, stage);
    conversation = next;
  }

  let turns = 0;
  let finished: Conversation | undefined;
  while (!finished) {
    const snapshot = structuredClone(conversation);
    for (const stage of stages.iteration) {
      const next = await runStage(stage, conversation);
      if (!next) {
        if (turns >= stages.minTurns) {
          finished = snapshot;
          break;
        }
        return fail(conversation, stage, turns);
      }
      conversation = next;
      if (terminated(conversation)) {
        if (turns < stages.minTurns) {
          why = `the flow controller ended the conversation after ${turns} turn(s), fewer than min_turns ${stages.minTurns}`;
          return fail(conversation, stage, turns);
        }
        finished = conversation;
        break;
      }
    }
    if (finished) break;
    turns++;
    if (turns >= stages.maxTurns) finished = conversation;
    if (stages.iteration.length === 0) finished = conversation;
  }

  conversation = finished;
  for (const stage of stages.termination) {
    const next = await runStage(stage, conversation);
    if (!next) return fail(conversation, stage);
    conversation = next;
  }
  return { ok: true, conversation, turns };
}
