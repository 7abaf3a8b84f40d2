// Entry point for discovery: `public/examples/geography_qa` and `geography_qa` load this module.
export { geographyQaBuilder as default } from './geography-qa/geography-qa.js';
