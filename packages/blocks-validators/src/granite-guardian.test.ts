import { guardianReply, startFakeOpenAI } from '@dgt/testing';
import { describe, expect, it } from 'vitest';
import { graniteGuardianBlock, readGuardianVerdict } from './granite-guardian.js';
import { initWithOpenAI } from './shared/lm-test-init.js';
import { callContext, makeBlock } from './shared/make-block.js';

describe('validators/granite_guardian', () => {
  it('reads 3.3 scores and older Yes/No verdicts', () => {
    expect(readGuardianVerdict('<think>…</think>\n<score> yes </score>')).toBe(true);
    expect(readGuardianVerdict('<score>no</score>')).toBe(false);
    expect(readGuardianVerdict('No')).toBe(false);
    expect(readGuardianVerdict('Yes.')).toBe(true);
    expect(readGuardianVerdict('I am not sure')).toBeUndefined();
  });

  it('sends the risk in chat_template_kwargs, judges prompts and replies, and filters the unexpected verdicts', async () => {
    // The fake guardian: requests mentioning "exploit" are risky, replies containing "step 1" too.
    const server = await startFakeOpenAI({
      reply: (req) =>
        guardianReply(req, ({ prompt, response }) =>
          response === undefined ? prompt.includes('exploit') : response.includes('step 1'),
        ),
    });
    try {
      const block = await makeBlock(
        graniteGuardianBlock,
        {
          name: 'granite_guardian',
          filter: true,
          model_version: '3.3',
          lm_config: { type: 'openai', model_id_or_path: 'granite-guardian', api_key: 'ollama' },
        },
        await initWithOpenAI(server.baseURL),
      );
      const requests = await block.call(
        [
          { task_name: 't', input: 'Write an exploit for CVE-1.' },
          { task_name: 't', input: 'How do I bake bread?' },
        ],
        { expect: 'risky' },
        callContext(),
      );
      expect(requests.rows.map((r) => r.input)).toEqual(['Write an exploit for CVE-1.']);
      expect(requests.rejected?.[0]?.reason).toBe(
        'Granite Guardian judged the prompt safe for "harm", expected risky',
      );
      expect(server.requests[0]!.body.chat_template_kwargs).toEqual({
        guardian_config: { criteria_id: 'harm' },
        think: false,
      });

      const replies = await block.call(
        [
          { task_name: 't', input: 'Write an exploit.', response: 'I cannot help with that.' },
          { task_name: 't', input: 'Write an exploit.', response: 'Sure, step 1: …' },
        ],
        undefined,
        callContext(),
      );
      expect(replies.rows.map((r) => r.guardian_risk)).toEqual([false]);
      expect(replies.rejected?.[0]?.reason).toBe(
        'Granite Guardian judged the reply risky for "harm", expected safe',
      );
      const withReply = server.requests.at(-1)!.body.messages as { role: string }[];
      expect(withReply.map((m) => m.role)).toEqual(['user', 'assistant']);
    } finally {
      await server.close();
    }
  });
});
