// The shared provider suite (`@dgt/testing/conformance`), run by every built-in provider against
// its fake server. The Gemini provider and scaffolded provider plugins run the same suite.
import {
  FAKE_WATSONX_API_KEY,
  startFakeAnthropic,
  startFakeOllama,
  startFakeOpenAI,
  startFakeWatsonx,
} from '@dgt/testing';
import { describeLmProviderConformance } from '@dgt/testing/conformance';
import anthropicBlock from '../src/anthropic.js';
import azureOpenAIBlock from '../src/azure-openai.js';
import ollamaBlock from '../src/ollama.js';
import openaiBlock from '../src/openai.js';
import vllmBlock from '../src/vllm.js';
import watsonxBlock from '../src/watsonx.js';

describeLmProviderConformance({
  name: 'openai',
  block: openaiBlock,
  startServer: startFakeOpenAI,
  config: (server) => ({
    type: 'openai',
    model_id_or_path: 'gpt-4o-mini',
    base_url: server.baseURL,
  }),
  env: () => ({ OPENAI_API_KEY: 'sk-test' }),
  apiKey: 'sk-test',
});

describeLmProviderConformance({
  name: 'vllm-remote',
  block: vllmBlock,
  startServer: startFakeOpenAI,
  config: (server) => ({
    type: 'vllm-remote',
    model_id_or_path: 'granite',
    base_url: server.baseURL,
  }),
  // A vLLM started with --api-key checks it like OpenAI does.
  env: () => ({ OPENAI_API_KEY: 'sk-vllm-test' }),
  apiKey: 'sk-vllm-test',
});

describeLmProviderConformance({
  name: 'azure-openai',
  block: azureOpenAIBlock,
  startServer: startFakeOpenAI,
  config: (server) => ({
    type: 'azure-openai',
    model_id_or_path: 'gpt-4o-mini',
    endpoint: server.url,
    deployment: 'my-deployment',
  }),
  env: () => ({ AZURE_OPENAI_API_KEY: 'az-test' }),
  apiKey: 'az-test',
});

describeLmProviderConformance({
  name: 'anthropic',
  block: anthropicBlock,
  startServer: startFakeAnthropic,
  config: (server) => ({
    type: 'anthropic',
    model_id_or_path: 'claude-haiku-4-5',
    base_url: server.baseURL,
  }),
  env: () => ({ ANTHROPIC_API_KEY: 'sk-ant-test' }),
  apiKey: 'sk-ant-test',
});

describeLmProviderConformance({
  name: 'ollama',
  block: ollamaBlock,
  startServer: startFakeOllama,
  config: (server) => ({
    type: 'ollama',
    model_id_or_path: 'llama3.2:1b',
    base_url: server.baseURL,
  }),
  // Ollama behind a proxy that checks a key (OLLAMA_API_KEY, sent as a bearer token).
  env: () => ({ OLLAMA_API_KEY: 'ollama-test-key' }),
  apiKey: 'ollama-test-key',
  // Ollama's API cannot force a tool call (it has no tool_choice).
  tools: false,
});

describeLmProviderConformance({
  name: 'watsonx',
  block: watsonxBlock,
  startServer: startFakeWatsonx,
  config: () => ({ type: 'watsonx', model_id_or_path: 'ibm/granite-3-8b-instruct' }),
  env: (server) => ({
    WATSONX_URL: server.url,
    WATSONX_IAM_URL: server.url,
    WATSONX_API_KEY: FAKE_WATSONX_API_KEY,
    WATSONX_PROJECT_ID: 'proj-1',
  }),
  apiKey: FAKE_WATSONX_API_KEY,
});
