import { packageAsset } from '@dgt/core';
import { coreConversationStages } from '../conversation/conversation.js';
import { createConversationBuilder } from '../conversation/conversation-builder.js';
import { toolsConfigSchema } from '../tools/open-tools.js';
import { ragAssistantStage } from './stages/rag-assistant.js';
import { ragScenarioStage } from './stages/rag-scenario.js';
import { ragFlowControllerStage, ragUserStage } from './stages/rag-turns.js';

/**
 * `public/rag/conversation`: conversations grounded in documents, as DiGiT's builder of that
 * name (the multi_doc2dial task files run unchanged). The task's `tools:` key defines search
 * engines (`search/file` over a corpus file); `lm/scenario/rag` draws each conversation's
 * documents with a `search/random` sampler and writes a scenario for them;
 * `lm/flow_controller/rag` and `lm/user/rag` steer and ask knowing what the documents cover;
 * `lm/assistant/rag/static` answers from them, checked for grounding and rewritten when the
 * check fails. The core stages are available too. `formatters/conversation/rag/static` writes
 * `{conversation_id, messages, documents}`.
 */
export const ragConversationBuilder = createConversationBuilder({
  name: 'public/rag/conversation',
  description: 'Conversations grounded in documents: sampled documents, grounded, checked answers.',
  config: packageAsset(import.meta.url, 'assets/rag/rag.yaml'),
  stages: [
    ...coreConversationStages,
    ragScenarioStage,
    ragFlowControllerStage,
    ragUserStage,
    ragAssistantStage,
  ],
  taskKeys: { tools: toolsConfigSchema.optional() },
});
