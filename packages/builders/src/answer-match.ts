// Entry point for discovery: the `answer_match` validator block.
export { answerMatchBlock as default } from './cot/answer-match.js';
