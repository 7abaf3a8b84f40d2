// Entry point for discovery: `cot` and `chain_of_thought`.
export { cotBuilder as default } from './cot/cot.js';
