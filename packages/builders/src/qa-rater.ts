// Entry point for discovery: `public/examples/qa_rater` and `qa_rater` load this module.
export { qaRaterBuilder as default } from './qa-rater/qa-rater.js';
