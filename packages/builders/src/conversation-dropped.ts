// Entry point for discovery: the `conversation/dropped` block.
export { droppedConversationsBlock as default } from './conversation/dropped-block.js';
