export {
  geographyQaBuilder,
  geographyQaSchema,
  geographyReplySchema,
  parseGeographyReply,
} from './geography-qa/geography-qa.js';
export {
  DIFFICULTY_LEVELS,
  parseRating,
  qaRaterBuilder,
  type Rating,
  ratingReplySchema,
} from './qa-rater/qa-rater.js';
