// Entry point for discovery: the formatter `formatters/safety/refusal`.
export { refusalFormatter as default } from './safety-refusal/refusal-formatter.js';
