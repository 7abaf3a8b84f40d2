// Entry point for discovery: the formatters `formatters/tool_calling/single_turn`,
// `formatters/tool_calling/multi_turn` and `formatters/tool_calling`.
export { toolCallingFormatter as default } from './tool-calling/tool-calling-formatter.js';
