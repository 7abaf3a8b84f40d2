import { defineConversationStage } from '../../conversation/stage.js';
import {
  createFlowController,
  flowControllerConfig,
} from '../../conversation/stages/flow-controller.js';
import { createUserStage, userStageConfig } from '../../conversation/stages/user.js';
import { renderDocuments } from '../../tools/documents.js';
import { documentsOf } from '../task-tools.js';

// The flow controller and the user see the documents in part: enough to know what they cover.
const PREVIEW_CHARS = 1200;

/**
 * `lm/flow_controller/rag`: the flow controller of `core/conversation`, shown the
 * conversation's documents so it can tell which kinds of question they still answer.
 */
export const ragFlowControllerStage = defineConversationStage({
  name: 'lm/flow_controller/rag',
  description: 'Chooses the next turn pattern knowing what the documents cover.',
  configSchema: flowControllerConfig,
  create: (config, init) =>
    createFlowController(config, init, 'lm/flow_controller/rag', {
      context: (conversation) =>
        `Available documents (opening part of each):\n${renderDocuments(documentsOf(conversation), PREVIEW_CHARS)}`,
    }),
});

/** `lm/user/rag`: the simulated user's next message, about what the documents cover. */
export const ragUserStage = defineConversationStage({
  name: 'lm/user/rag',
  description: "The simulated user's next message, about what the documents cover.",
  configSchema: userStageConfig,
  create: (config, init) =>
    createUserStage(config, init, 'lm/user/rag', (conversation) =>
      renderDocuments(documentsOf(conversation), PREVIEW_CHARS),
    ),
});
