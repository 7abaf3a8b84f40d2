import type { ChatMessage } from '@dgt/core';

/**
 * One unit of stage output in a conversation (DiGiT's `Step`): its `role` says what it is
 * (`scenario`, `persona`, `flow_controller`, `user`, `assistant`, `tool_call`, `tool_result`,
 * or a role a plugin stage defines), `content` its text or structured value, `stage_name` the
 * stage that wrote it. Roles carry extra fields (a flow-controller step its `terminate` and
 * `hint`, a persona its `goals`, a RAG scenario its `documents`).
 */
export type ConversationStep = {
  role: string;
  content: unknown;
  stage_name?: string;
  scores?: Record<string, number>;
  metadata?: Record<string, unknown>;
  [field: string]: unknown;
};

/**
 * A conversation record as stages see it and as it is stored: DiGiT's `ConversationDataPoint`
 * shape (`conversation_id`, `steps`) plus `messages`, the user and assistant turns in chat form.
 */
export type Conversation = {
  task_name: string;
  is_seed?: boolean;
  conversation_id: string;
  steps: ConversationStep[];
  [field: string]: unknown;
};

/** The last step of a conversation with `role`, if any. */
export function lastStep(conversation: Pick<Conversation, 'steps'>, role: string) {
  for (let i = conversation.steps.length - 1; i >= 0; i--) {
    if (conversation.steps[i]!.role === role) return conversation.steps[i];
  }
  return undefined;
}

/** Every step of a conversation with `role`, in order. */
export function stepsOf(conversation: Pick<Conversation, 'steps'>, role: string) {
  return conversation.steps.filter((step) => step.role === role);
}

/** The text of a step's content (structured contents as JSON). */
export function stepText(step: ConversationStep | undefined): string {
  if (!step) return '';
  const { content } = step;
  if (typeof content === 'string') return content;
  return content === undefined || content === null ? '' : JSON.stringify(content);
}

/** The user and assistant turns of a conversation as chat messages, in order. */
export function conversationMessages(conversation: Pick<Conversation, 'steps'>): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const step of conversation.steps) {
    if (step.role === 'user' || step.role === 'assistant') {
      messages.push({ role: step.role, content: stepText(step) });
    }
  }
  return messages;
}

/** The user and assistant turns as a plain transcript (`User: …` / `Assistant: …`). */
export function transcript(conversation: Pick<Conversation, 'steps'>): string {
  return conversationMessages(conversation)
    .map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${m.content}`)
    .join('\n\n');
}

/** How many user turns a conversation has: its number of completed or started exchanges. */
export function userTurns(conversation: Pick<Conversation, 'steps'>): number {
  return stepsOf(conversation, 'user').length;
}
