// Entry point for discovery: `magpie`.
export { magpieBuilder as default } from './magpie/magpie.js';
