import { startFakeOpenAI } from '@dgt/testing';
import { describe, expect, it } from 'vitest';
import { initWithOpenAI } from './shared/lm-test-init.js';
import { callContext, makeBlock } from './shared/make-block.js';
import { taggerBlock } from './tagger.js';

describe('tagger', () => {
  it('asks the LM (DiGiT lm_config) for tags from the closed list and keeps only listed ones', async () => {
    const server = await startFakeOpenAI({
      reply: (req) =>
        JSON.stringify({
          tags: req.prompt.includes('their') ? ['grammar', 'made-up', 'grammar'] : ['style'],
        }),
    });
    try {
      const block = await makeBlock(
        taggerBlock,
        {
          name: 'tagger',
          tags: ['grammar', 'spelling', 'style'],
          max_tags: 2,
          lm_config: { type: 'openai', model_id_or_path: 'tag-model' },
        },
        await initWithOpenAI(server.baseURL),
      );
      const rows = [
        { task_name: 't', input: 'Fix: their going home.' },
        { task_name: 't', input: 'Make this more formal.' },
      ];
      const out = await block.call(rows, undefined, callContext());
      expect(out.rows.map((r) => r.tags)).toEqual([['grammar'], ['style']]);
      expect(server.requests[0]?.body.model).toBe('tag-model');
      const schema = server.requests[0]?.schema as any;
      expect(schema.properties.tags.items.enum).toEqual(['grammar', 'spelling', 'style']);
      expect(server.requests[0]?.prompt).toContain('grammar, spelling, style');
    } finally {
      await server.close();
    }
  });

  it('leaves tags empty with the reason when the reply has no tags', async () => {
    const server = await startFakeOpenAI({ reply: () => 'no idea' });
    try {
      const block = await makeBlock(
        taggerBlock,
        { name: 'tagger', lm: { type: 'openai', model_id_or_path: 'm' } },
        await initWithOpenAI(server.baseURL),
      );
      const out = await block.call([{ input: 'x' }], undefined, callContext());
      expect(out.rows[0]).toMatchObject({ tags: [] });
      expect(String(out.rows[0]?.tag_error)).toContain('no tags');
    } finally {
      await server.close();
    }
  });
});
