// Public API of @dgt/provider-gemini: the `gemini` block and its wire mapping.
export { default as geminiBlock, GEMINI_BASE_URL } from './gemini.js';
export { generateContentBody, readGenerateContentReply } from './wire.js';
