export { conversationBuilder, coreConversationStages } from './conversation/conversation.js';
export {
  type ConversationBuilderOptions,
  conversationRecordSchema,
  createConversationBuilder,
} from './conversation/conversation-builder.js';
export { droppedConversationsBlock } from './conversation/dropped-block.js';
export {
  type ConversationStageV1,
  defineConversationStage,
  isStageDefinition,
  type StageCallContext,
  type StageDefinition,
  type StageDefinitionV1,
  type StageInitContext,
  type StageTask,
} from './conversation/stage.js';
export { askLm, cleanTurn, type LmReply } from './conversation/stages/lm-call.js';
export {
  type Conversation,
  type ConversationStep,
  conversationMessages,
  lastStep,
  stepsOf,
  stepText,
  transcript,
  userTurns,
} from './conversation/steps.js';
export { answerMatchBlock, answersMatch, normalizeAnswer } from './cot/answer-match.js';
export { cotBuilder, cotInputSchema, cotTaskSchema } from './cot/cot.js';
export { cotReplySchema, parseReasoning } from './cot/cot-reply.js';
export {
  geographyQaBuilder,
  geographyQaSchema,
  geographyReplySchema,
  parseGeographyReply,
} from './geography-qa/geography-qa.js';
export {
  knowledgeBuilder,
  knowledgeRecordSchema,
  knowledgeTaskSchema,
} from './knowledge/knowledge.js';
export {
  frqReplySchema,
  mcqReplySchema,
  parseKnowledgeReply,
} from './knowledge/knowledge-reply.js';
export { magpieBuilder, magpieRecordSchema, recordId } from './magpie/magpie.js';
export { pipelineBuilder } from './pipeline/pipeline.js';
export {
  DIFFICULTY_LEVELS,
  parseRating,
  qaRaterBuilder,
  type Rating,
  ratingReplySchema,
} from './qa-rater/qa-rater.js';
export { ragConversationBuilder } from './rag/rag.js';
export { ragStaticFormatter } from './rag/rag-formatter.js';
export { readVerdict } from './rag/stages/rag-assistant.js';
export {
  refusalBuilder,
  refusalRecordSchema,
  refusalTaskSchema,
} from './safety-refusal/refusal.js';
export {
  refusalFormatter,
  refusalFormatterConfigSchema,
} from './safety-refusal/refusal-formatter.js';
export {
  loadRiskPolicy,
  type RiskPolicy,
  riskPolicyKeySchema,
} from './safety-refusal/risk-policy.js';
export { chunkWords } from './shared/chunk-text.js';
export { simpleBuilder, simpleRecordSchema, simpleTaskSchema } from './simple/simple.js';
export {
  parseSimpleReply,
  simpleReplySchema,
} from './simple/simple-reply.js';
export { skillsBuilder, skillsTaskSchema } from './skills/skills.js';
export {
  TIME_SERIES_UNSUPPORTED,
  timeSeriesBuilder,
  timeSeriesTaskSchema,
} from './time-series/time-series.js';
export {
  toolCallingBuilder,
  toolCallingRecordSchema,
  toolCallingTaskSchema,
} from './tool-calling/tool-calling.js';
export {
  toolCallingFormatter,
  toolCallingFormatterConfigSchema,
} from './tool-calling/tool-calling-formatter.js';
export { parseToolExamples } from './tool-calling/tool-calling-reply.js';
export { readTools, toolExamplesSchema } from './tool-calling/tools.js';
export {
  conversationsSchema,
  parseConversations,
  readTurns,
  type ToolTurn,
  turnsToMessages,
} from './tool-calling-multi-turn/conversation.js';
export {
  multiTurnToolCallingBuilder,
  multiTurnToolRecordSchema,
  multiTurnToolTaskSchema,
} from './tool-calling-multi-turn/multi-turn.js';
export {
  documentRecord,
  renderDocuments,
  type SearchDocument,
  toDocument,
} from './tools/documents.js';
export { fileSearchEngine } from './tools/file-search-engine.js';
export {
  openTools,
  type TaskTools,
  TOOL_ENGINES,
  toolsConfigSchema,
} from './tools/open-tools.js';
export {
  type RandomSamplerConfig,
  randomSamplerConfig,
  sampleDocuments,
} from './tools/random-sampler.js';
export type {
  ToolEngine,
  ToolEngineDefinition,
  ToolEngineInitContext,
} from './tools/tool-engine.js';
export {
  createToolRegistry,
  loadTools,
  type ToolDefinition,
  type ToolRegistry,
} from './tools/tool-registry.js';
