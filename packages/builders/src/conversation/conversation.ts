import { packageAsset } from '@dgt/core';
import { createConversationBuilder } from './conversation-builder.js';
import type { StageDefinition } from './stage.js';
import { assistantStage } from './stages/assistant.js';
import { flowControllerStage } from './stages/flow-controller.js';
import { personaStage } from './stages/persona.js';
import { scenarioStage } from './stages/scenario.js';
import { userStage } from './stages/user.js';

/** The stage types of `core/conversation`, which builders on it extend. */
export const coreConversationStages: readonly StageDefinition[] = [
  scenarioStage,
  personaStage,
  flowControllerStage,
  userStage,
  assistantStage,
];

/**
 * `core/conversation`: multi-turn conversations from composable stages, as DiGiT's builder of
 * that name. Task files list `initialization_stages` (`lm/scenario`, `sample/persona`) and
 * `iteration_stages` (`lm/flow_controller`, `lm/user/guided`, `lm/assistant/naive`), with
 * `max_turns` and `min_turns`. Records hold `steps` and `messages`; the
 * `formatters/conversation/messages` formatter writes the chat form for fine-tuning.
 */
export const conversationBuilder = createConversationBuilder({
  name: 'core/conversation',
  description: 'Multi-turn conversations from stages: scenario, persona, flow controller, turns.',
  config: packageAsset(import.meta.url, 'assets/conversation/conversation.yaml'),
  stages: coreConversationStages,
});
