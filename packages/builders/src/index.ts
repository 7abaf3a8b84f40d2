export { geographyQaBuilder, geographyQaSchema, geographyReplySchema, parseGeographyReply } from './geography-qa/geography-qa.js';
export { qaRaterBuilder, parseRating, DIFFICULTY_LEVELS, ratingReplySchema, type Rating } from './qa-rater/qa-rater.js';
