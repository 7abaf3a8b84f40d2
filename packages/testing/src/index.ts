// Public API of @dgt/testing: fake LM servers speaking real wire formats over real HTTP.

export { startFakeAnthropic } from './anthropic.js';
export { ANTHROPIC_BATCH_LIMITS } from './anthropic-batch.js';
export { chatStyled } from './chat-style.js';
export { startFakeGemini } from './gemini.js';
export { guardianConfig, guardianReply, guardianSubject } from './guardian.js';
export {
  type LognormalLatencyOptions,
  lognormalLatency,
  lognormalMeanMs,
} from './latency.js';
export { startFakeOllama } from './ollama.js';
export { startFakeOpenAI } from './openai.js';
export { OPENAI_BATCH_LIMITS } from './openai-batch.js';
export {
  startTestRedis,
  TEST_REDIS_URL_ENV,
  type TestRedis,
  type TestRedisSource,
  testRedisSource,
} from './redis.js';
export { type ReplyRule, scriptedReplies } from './scripted-replies.js';
export type {
  FakeBatchOptions,
  FakeBatchRecord,
  FakeBatchResult,
  FakeFault,
  FakeLmServer,
  FakeReply,
  FakeRequest,
  FakeServerOptions,
  FakeServerStats,
  FakeToolCall,
} from './types.js';
export { FAKE_WATSONX_API_KEY, startFakeWatsonx } from './watsonx.js';
