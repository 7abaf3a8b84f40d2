// The shared provider suite, run against the fake Gemini server: the Gemini block passes the same
// engine tests as the built-in providers.
import { startFakeGemini } from '@dgt/testing';
import { describeLmProviderConformance } from '@dgt/testing/conformance';
import geminiBlock from '../src/gemini.js';

describeLmProviderConformance({
  name: 'gemini',
  block: geminiBlock,
  startServer: startFakeGemini,
  config: (server) => ({
    type: 'gemini',
    model_id_or_path: 'gemini-2.5-flash',
    base_url: server.baseURL,
  }),
  env: () => ({ GEMINI_API_KEY: 'test-gemini-key' }),
  apiKey: 'test-gemini-key',
});
