// Entry point for discovery: `instructlab/knowledge`, `public/instructlab/knowledge`, `knowledge`.
export { knowledgeBuilder as default } from './knowledge/knowledge.js';
