// Public API of @dgt/testing: fake LM servers speaking real wire formats over real HTTP.

export { startFakeAnthropic } from './anthropic.js';
export {
  type LognormalLatencyOptions,
  lognormalLatency,
  lognormalMeanMs,
} from './latency.js';
export { startFakeOllama } from './ollama.js';
export { startFakeOpenAI } from './openai.js';
export type {
  FakeFault,
  FakeLmServer,
  FakeReply,
  FakeRequest,
  FakeServerOptions,
  FakeServerStats,
  FakeToolCall,
} from './types.js';
export { FAKE_WATSONX_API_KEY, startFakeWatsonx } from './watsonx.js';
