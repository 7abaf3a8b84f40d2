// Entry point for discovery: `public/instructlab/simple`, `instructlab/simple` and `simple`.
export { simpleBuilder as default } from './simple/simple.js';
