import { createMockEmbedder } from './embeddings/mock-embedder.js';
import { defineLmProvider } from './provider/define-lm-provider.js';
import { createMockProvider } from './providers/mock.js';

/**
 * The `mock` block: a deterministic, offline stand-in for an LM (no HTTP), for dry runs. Replies
 * are English sentences, or JSON filling the response schema when one is asked, whose text is
 * taken from the examples in the prompt (the task's seeds and outputs) and the values the row
 * carries (a record's known answer), varied by a hash of the model, the input, the decoding
 * parameters and the block's count of identical requests. The model id defaults to `mock`.
 *
 * @example
 * # builder YAML
 * blocks:
 *   - name: generator
 *     type: mock
 */
const mockBlock = defineLmProvider({
  description: 'Deterministic offline LM for tests and demos',
  // Mock replies cost nothing and are reproducible: caching them only fills the disk.
  defaults: { model: 'mock', cache: 'off' },
  create: () => ({ ...createMockProvider(), embeddings: createMockEmbedder() }),
});

export default mockBlock;
