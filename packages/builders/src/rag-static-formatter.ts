// Entry point for discovery: the `formatters/conversation/rag/static` formatter.
export { ragStaticFormatter as default } from './rag/rag-formatter.js';
