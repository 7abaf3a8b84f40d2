// Entry point for discovery: `public/rag/conversation`.
export { ragConversationBuilder as default } from './rag/rag.js';
