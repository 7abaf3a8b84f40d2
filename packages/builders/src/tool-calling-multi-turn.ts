// Entry point for discovery: `tool_calling/multi_turn/stateless` (and its `public/` id).
export { multiTurnToolCallingBuilder as default } from './tool-calling-multi-turn/multi-turn.js';
