// Public API of @dgt/core: the plugin contract, then what the CLI and the first-party packages
// use (checked by grepping every package). api/core.api.md records it; `pnpm api:update`
// rewrites that report after a deliberate change, and api-report.test.ts fails on any other.

// --- Running tasks (the CLI) -----------------------------------------------------------------
export { builderConfigSchema } from './config/builder-schema.js';
export { overrideFileSchema, taskConfigSchema } from './config/task-schema.js';
export { readYamlSource, type YamlSource } from './config/yaml-source.js';
// --- The plugin contract (types, define* helpers, structural guards) -------------------------
export * from './contracts/index.js';
// --- Data and provenance (builders, `dgt view`) -----------------------------------------------
export { type DatastoreMapping, openDatastore } from './datastore/open-datastore.js';
export { createParquetDatastore } from './datastore/parquet-datastore.js';
// --- Errors and events ------------------------------------------------------------------------
export { DgtError, type DgtErrorCode, dgtErrorProblems, isDgtError } from './errors/dgt-error.js';
export type * from './events/events.js';
export { addLmUsage, emptyLmUsage } from './events/lm-usage.js';
export type { ProvenanceEntry } from './provenance/provenance-entry.js';
export { PROVENANCE_FILE } from './provenance/provenance-log.js';
export { recordId } from './provenance/record-id.js';
export {
  appendReviewDecision,
  REVIEW_FILE,
  type ReviewDecision,
} from './provenance/review-decisions.js';
export { createRandom } from './random/seeded-random.js';
export { type DiscoverOptions, discoverPlugins } from './registry/discover.js';
export { packageAsset } from './registry/package-asset.js';
export { type Contribution, Registry } from './registry/registry.js';
// --- Running a builder's attempts in another process (`dgt worker`) ---------------------------
export type {
  AttemptCall,
  AttemptCallResult,
  AttemptExecutor,
} from './runner/attempt-executor.js';
export type { AttemptScope, RejectBuffer } from './runner/attempt-scope.js';
export { bindBlock, blocksForAttempt } from './runner/bound-block.js';
export { inputFields } from './runner/builder-fields.js';
export { type BlockProblem, checkPlanBlocks } from './runner/check-blocks.js';
export {
  type PlannedBuilder,
  type PlannedTask,
  type PlanOptions,
  planRun,
  type RunPlan,
} from './runner/plan-run.js';
export { redactText, secretValues } from './runner/redact.js';
export { type RunOptions, type RunResult, runTasks } from './runner/run-tasks.js';
export { type ExamplePool, sampleExamples } from './runner/sample-examples.js';
export { redactUrl, resolveSharedStateUrl } from './runner/shared-state-url.js';
export { isTaskDirClaimed } from './runner/task-dir-claim.js';
// --- Helpers for blocks and builders ----------------------------------------------------------
export { plausibleText, sampleFromJsonSchema } from './schema/json-schema-sample.js';
export {
  type SchemaIssue,
  type SchemaValidation,
  validateWithSchema,
} from './schema/validate-schema.js';
export { compileTemplate, loadTemplate, type PromptTemplate } from './template/index.js';
export { canonicalJson } from './text/canonical-json.js';
export { lexicalEmbedding } from './text/lexical-embedding.js';
export {
  extractJson,
  labelledAsSchema,
  parseLabelledRecords,
} from './text/reply-parser.js';
