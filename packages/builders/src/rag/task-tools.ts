import type { StageInitContext } from '../conversation/stage.js';
import type { Conversation } from '../conversation/steps.js';
import { openTools, type TaskTools } from '../tools/open-tools.js';

/** The task's `tools:` (registry and engines), built once per task and shared by its stages. */
export function taskTools(init: StageInitContext): Promise<TaskTools> {
  return init.shared('tools', () =>
    openTools(init.task.config.tools, init.task.baseDir, `task "${init.task.name}"`),
  );
}

/** The documents of a RAG conversation: those of its last `rag/scenario` step. */
export function documentsOf(conversation: Conversation): Record<string, unknown>[] {
  for (let i = conversation.steps.length - 1; i >= 0; i--) {
    const step = conversation.steps[i]!;
    if (step.role === 'rag/scenario' && Array.isArray(step.documents))
      return step.documents as Record<string, unknown>[];
  }
  return [];
}
