import { type DatabuilderV1, packageAsset } from '@dgt/core';
import { coreConversationStages } from '../conversation/conversation.js';
import { createConversationBuilder } from '../conversation/conversation-builder.js';
import { toolsConfigSchema } from '../tools/open-tools.js';
import { ragAssistantStage } from './stages/rag-assistant.js';
import { ragScenarioStage } from './stages/rag-scenario.js';
import { ragFlowControllerStage, ragUserStage } from './stages/rag-turns.js';

/** The corpus of the scaffolded task: two subjects, three documents each. */
const EXAMPLE_DOCUMENTS = [
  {
    id: 'library-card',
    title: 'Getting a library card',
    domain: 'library',
    text: 'Any resident of the county can get a library card for free at any branch. Bring a photo ID and a proof of address dated within the last 60 days, such as a utility bill or a lease. Children under 14 need a parent or guardian to sign the application. Cards are valid for three years and can be renewed online or at the desk.',
  },
  {
    id: 'library-loans',
    title: 'Borrowing and returns',
    domain: 'library',
    text: 'Books can be borrowed for 21 days and renewed twice online, unless another reader has placed a hold. DVDs are lent for 7 days and cannot be renewed. Items can be returned to any branch or to the outdoor drop boxes, which are emptied every morning. The library charges no late fees, but an item overdue by more than 30 days is billed at its replacement cost until it is returned.',
  },
  {
    id: 'library-rooms',
    title: 'Study rooms',
    domain: 'library',
    text: 'The central branch has six study rooms for two to eight people. Rooms can be booked up to two weeks ahead, for at most three hours a day per card. A booking is released if nobody checks in within 15 minutes of its start. Whiteboards and screens are provided; food is not allowed in the rooms.',
  },
  {
    id: 'waste-collection',
    title: 'Household waste collection',
    domain: 'waste',
    text: 'General waste is collected weekly and recycling every other week, on the same weekday. Bins must be at the curb by 7 a.m. on collection day and taken in by the end of the day. Collection moves one day later in any week with a public holiday on or before the collection day.',
  },
  {
    id: 'waste-bulky',
    title: 'Bulky items',
    domain: 'waste',
    text: 'Furniture, mattresses and large appliances are collected on request. Residents can book up to four bulky-item pickups a year for free; further pickups cost 25 dollars each. Fridges and freezers must be emptied and their doors taped shut. Items are picked up from the curb within ten working days of the booking.',
  },
  {
    id: 'waste-recycling',
    title: 'What goes in the recycling bin',
    domain: 'waste',
    text: 'The recycling bin takes paper, cardboard, glass bottles and jars, metal cans and plastic bottles and tubs. Containers should be empty and rinsed; lids go back on plastic bottles. Plastic bags, soft plastics and food-soiled paper go in general waste. Batteries and electronics must never go in either bin: take them to the recycling center on Mill Road.',
  },
];

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
export const ragConversationBuilder: DatabuilderV1 = {
  ...createConversationBuilder({
    name: 'public/rag/conversation',
    description:
      'Conversations grounded in documents: sampled documents, grounded, checked answers.',
    config: packageAsset(import.meta.url, 'assets/rag/rag.yaml'),
    stages: [
      ...coreConversationStages,
      ragScenarioStage,
      ragFlowControllerStage,
      ragUserStage,
      ragAssistantStage,
    ],
    taskKeys: { tools: toolsConfigSchema.optional() },
  }),
  // The corpus is written beside the scaffolded task (search/file reads documents from a file).
  taskFiles: {
    'documents.jsonl': `${EXAMPLE_DOCUMENTS.map((doc) => JSON.stringify(doc)).join('\n')}\n`,
  },
  taskExample: {
    max_turns: 3,
    min_turns: 2,
    tools: {
      engines: {
        documents: { type: 'search/file', path: './documents.jsonl', format: 'jsonl', limit: 3 },
      },
    },
    initialization_stages: [
      {
        name: 'lm/scenario/rag',
        generator: 'generator',
        document_samplers: [
          { type: 'search/random', engine: 'documents', group_by: 'domain', strategy: 'uniform' },
        ],
        k: 3,
      },
    ],
    iteration_stages: [
      {
        name: 'lm/flow_controller/rag',
        generator: 'generator',
        termination_patterns: ['rag/done'],
        patterns: [
          {
            name: 'rag/factoid',
            description: 'A short factual question the documents answer directly.',
            hint: 'Ask for one specific fact from the documents.',
          },
          {
            name: 'rag/follow_up',
            description: "A question on a detail of the assistant's last answer.",
            hint: 'Ask about a detail the assistant just mentioned.',
            weight: 2,
          },
          {
            name: 'rag/done',
            description: 'The user has what they needed.',
            hint: 'Close with what you will do next.',
            weight: 0.5,
          },
        ],
      },
      { name: 'lm/user/rag', generator: 'generator' },
      { name: 'lm/assistant/rag/static', generator: 'generator', max_retries: 2 },
    ],
    seed_examples: [
      {
        conversation_id: 'seed-library',
        steps: [
          {
            role: 'rag/scenario',
            content:
              'A student who moved to the county last month wants to borrow books for an exam and book a quiet place to study with two classmates.',
          },
        ],
      },
    ],
  },
};
