// Entry point for discovery: `public/safety/refusal` and `safety/refusal`.
export { refusalBuilder as default } from './safety-refusal/refusal.js';
