import { startFakeOpenAI } from '@dgt/testing';
import { describe, expect, it } from 'vitest';
import { lmJudgeBlock, lmJudgeConfigSchema, verdictSchema } from './lm-judge.js';
import { initWithOpenAI } from './shared/lm-test-init.js';
import { callContext, makeBlock } from './shared/make-block.js';

describe('lm_judge', () => {
  it('scores rows through an LM block with structured output and filters below the threshold', async () => {
    const server = await startFakeOpenAI({
      reply: (req) =>
        JSON.stringify(
          req.prompt.includes('Lima')
            ? { reason: 'correct', score: 5 }
            : { reason: 'Sydney is not the capital', score: 1 },
        ),
    });
    try {
      const block = await makeBlock(
        lmJudgeBlock,
        {
          name: 'judge',
          filter: true,
          threshold: 4,
          lm: { type: 'openai', model_id_or_path: 'judge-model', temperature: 0 },
          prompt:
            'Question: {{ question }}\nAnswer: {{ answer }}\nScore {{ min_score }}-{{ max_score }}.',
        },
        await initWithOpenAI(server.baseURL),
      );
      const out = await block.call(
        [
          { task_name: 't', question: 'Capital of Peru?', answer: 'Lima' },
          { task_name: 't', question: 'Capital of Australia?', answer: 'Sydney' },
        ],
        undefined,
        callContext(),
      );
      expect(out.rows).toMatchObject([{ answer: 'Lima', judge_score: 5, judge_reason: 'correct' }]);
      expect(out.rejected?.[0]?.reason).toBe(
        'judge score 1 < threshold 4: Sydney is not the capital',
      );
      // The judge was asked for the verdict schema, and saw the rendered prompt.
      expect(server.requests[0]!.schema).toEqual(
        verdictSchema({ mode: 'score', min_score: 1, max_score: 5 }),
      );
      expect(server.requests.map((r) => r.prompt)).toContain(
        'Question: Capital of Peru?\nAnswer: Lima\nScore 1-5.',
      );
    } finally {
      await server.close();
    }
  });

  it('pass/fail verdicts, and unreadable replies are invalid with the reply in the reason', async () => {
    const server = await startFakeOpenAI({
      reply: (req) =>
        req.prompt.includes('good') ? '{"reason": "fine", "pass": true}' : 'no idea',
    });
    try {
      const block = await makeBlock(
        lmJudgeBlock,
        { mode: 'pass_fail', lm: { type: 'openai', model_id_or_path: 'm' } },
        await initWithOpenAI(server.baseURL),
      );
      const out = await block.call(
        [{ input: 'a good record' }, { input: 'a bad record' }],
        undefined,
        callContext(),
      );
      expect(out.rows.map((r) => [r.is_valid, r.judge_pass ?? null])).toEqual([
        [true, true],
        [false, null],
      ]);
      expect(out.rows[1]?.invalid_reason).toMatch(/no pass\/fail verdict: no idea/);
    } finally {
      await server.close();
    }
  });

  it("accepts DiGiT's lm_config for the judge's LM", () => {
    const parsed = lmJudgeConfigSchema.parse({
      name: 'judge',
      type: 'lm_judge',
      lm_config: { type: 'openai', model_id_or_path: 'm' },
    });
    expect(parsed.lm).toEqual({ type: 'openai', model_id_or_path: 'm' });
    expect(parsed).not.toHaveProperty('lm_config');
  });
});
