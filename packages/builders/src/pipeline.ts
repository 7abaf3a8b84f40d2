// Entry point for discovery: `pipeline` and `transform_pipeline` load this module.
export { pipelineBuilder as default } from './pipeline/pipeline.js';
