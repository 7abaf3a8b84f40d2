// Public API of @dgt/testing: fake LM servers speaking real wire formats over real HTTP.

export { startFakeOllama } from './ollama.js';
export { startFakeOpenAI } from './openai.js';
export type {
  FakeFault,
  FakeLmServer,
  FakeRequest,
  FakeServerOptions,
  FakeServerStats,
} from './types.js';
