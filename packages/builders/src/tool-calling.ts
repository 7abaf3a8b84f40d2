// Entry point for discovery: `tool_calling` and `public/tool_calling/single_turn`.
export { toolCallingBuilder as default } from './tool-calling/tool-calling.js';
