import { type DatabuilderV1, packageAsset } from '@dgt/core';
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
export const conversationBuilder: DatabuilderV1 = {
  ...createConversationBuilder({
    name: 'core/conversation',
    description: 'Multi-turn conversations from stages: scenario, persona, flow controller, turns.',
    config: packageAsset(import.meta.url, 'assets/conversation/conversation.yaml'),
    stages: coreConversationStages,
  }),
  // No sample/persona stage: it reads personas from a file, and the scaffold stands alone.
  taskExample: {
    max_turns: 3,
    min_turns: 2,
    initialization_stages: [{ name: 'lm/scenario', generator: 'generator', num_icl_examples: 2 }],
    iteration_stages: [
      {
        name: 'lm/flow_controller',
        generator: 'generator',
        termination_patterns: ['chat/goodbye'],
        patterns: [
          {
            name: 'chat/question',
            description: 'The user asks a question about the subject.',
            hint: 'Ask a question about the subject.',
            weight: 2,
          },
          {
            name: 'chat/follow_up',
            description: 'The user follows up on what the assistant just said.',
            hint: "Ask about a detail of the assistant's last answer.",
            weight: 2,
          },
          {
            name: 'chat/goodbye',
            description: 'The conversation has reached a natural end.',
            hint: 'Close the conversation.',
            weight: 0.5,
          },
        ],
      },
      { name: 'lm/user/guided', generator: 'generator' },
      { name: 'lm/assistant/naive', generator: 'generator' },
    ],
    seed_examples: [
      {
        conversation_id: 'seed-astronomy',
        steps: [
          {
            role: 'scenario',
            content:
              'A student who just saw a meteor shower wants to know where meteors come from.',
          },
        ],
      },
      {
        conversation_id: 'seed-bread',
        steps: [
          {
            role: 'scenario',
            content: 'A home baker whose sourdough keeps coming out flat looks for the reasons.',
          },
        ],
      },
    ],
  },
};
