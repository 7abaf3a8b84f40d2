// Public API of @dgt/core. Each line re-exports one concept; internal helpers stay unexported.

export * from './config/builder-schema.js';
export {
  type BuilderOverride,
  type LoadedTask,
  type LoadTasksOptions,
  loadTasks,
} from './config/load-tasks.js';
export * from './config/task-schema.js';
export { parseYamlSource, readYamlSource, type YamlSource } from './config/yaml-source.js';
export * from './contracts/index.js';
export * from './dataloader/index.js';
export * from './datastore/index.js';
export * from './errors/dgt-error.js';
export type * from './events/events.js';
export { addLmUsage, countLmRequest, emptyLmUsage } from './events/lm-usage.js';
export * from './formatter/index.js';
export * from './provenance/index.js';
export * from './random/seeded-random.js';
export { type DiscoverOptions, discoverPlugins } from './registry/discover.js';
export { packageAsset } from './registry/package-asset.js';
export { type Contribution, Registry } from './registry/registry.js';
export type {
  AttemptCall,
  AttemptCallResult,
  AttemptExecutor,
} from './runner/attempt-executor.js';
export type { AttemptCosts, AttemptScope, RejectBuffer } from './runner/attempt-scope.js';
export { bindBlock, blocksForAttempt } from './runner/bound-block.js';
export type { EngineOverride } from './runner/builder-config.js';
export { inputFields } from './runner/builder-fields.js';
export { type BlockProblem, checkPlanBlocks } from './runner/check-blocks.js';
export {
  type PlannedBuilder,
  type PlannedTask,
  type PlanOptions,
  planRun,
  type RunPlan,
} from './runner/plan-run.js';
export { redactSecrets, redactText, secretValues } from './runner/redact.js';
export { executePlan, type RunOptions, type RunResult, runTasks } from './runner/run-tasks.js';
export { type ExamplePool, sampleExamples } from './runner/sample-examples.js';
export { QUEUE_URL_ENV, redactUrl, resolveSharedStateUrl } from './runner/shared-state-url.js';
export { isTaskDirClaimed } from './runner/task-dir-claim.js';
export type { RunnerOverrides, TaskSettings } from './runner/task-settings.js';
export * from './schema/json-schema-sample.js';
export * from './template/index.js';
export { lexicalEmbedding } from './text/lexical-embedding.js';
export {
  extractJson,
  labelledAsSchema,
  parseLabelledRecords,
  parseReply,
} from './text/reply-parser.js';
