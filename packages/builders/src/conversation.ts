// Entry point for discovery: `core/conversation`.
export { conversationBuilder as default } from './conversation/conversation.js';
