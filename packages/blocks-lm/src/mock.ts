import { defineBlock } from '@dgt/core';
import { lmBlockConfigSchema, resolveLmConfig } from './config.js';
import { createLmBlock } from './engine/lm-engine.js';
import { createMockProvider } from './providers/mock.js';

/**
 * The `mock` block: a deterministic, offline stand-in for an LM (no HTTP). Replies are English
 * sentences, or JSON filling the response schema when one is asked, derived from a hash of the
 * model, the input, the decoding parameters and the block's count of identical requests. The
 * model id defaults to `mock`.
 *
 * @example
 * # builder YAML
 * blocks:
 *   - name: generator
 *     type: mock
 */
const mockBlock = defineBlock({
  role: 'lm',
  description: 'Deterministic offline LM for tests and demos',
  configSchema: lmBlockConfigSchema,
  create(config, ctx) {
    return createLmBlock({
      name: config.name,
      type: config.type,
      // Mock replies cost nothing and are reproducible: caching them only fills the disk.
      config: resolveLmConfig(config, { model: 'mock', cache: 'off' }),
      provider: createMockProvider(),
      env: ctx.env,
      purpose: ctx.purpose,
      ...(ctx.sharedStateUrl ? { sharedStateUrl: ctx.sharedStateUrl } : {}),
    });
  },
});

export default mockBlock;
