import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  FAKE_WATSONX_API_KEY,
  type FakeLmServer,
  type FakeRequest,
  startFakeOpenAI,
  startFakeWatsonx,
} from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { COMPAT, readJsonl, runCli, tempDir } from './run-cli.js';

// DiGiT's skills task and its watsonx config are read from ../shared, never copied.
const available = existsSync(COMPAT);
const GRAMMAR = path.join(
  COMPAT,
  'tasks/public/instructlab/skills/writing/grounded/editing/grammar/task.yaml',
);
const OUT = 'out/instructlab/skills/writing/grounded/editing/grammar';
const env = { DGT_DATA_DIR: path.join(COMPAT, 'data') };

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const has = (req: FakeRequest, key: string) =>
  Boolean(req.schema && key in ((req.schema.properties as object | undefined) ?? {}));

/**
 * A model playing every stage: four new grounded tasks per request — one good, one asking for a
 * picture (the judge fails the task), one whose answer is a refusal (the judge fails the
 * answer), one the tagger rates poor (the filter drops it).
 */
function skillsModel(req: FakeRequest): string {
  if (has(req, 'tasks')) {
    const n = req.index;
    return JSON.stringify({
      tasks: [
        { question: `Fix the grammar of text ${n}.`, context: `He go to school ${n} days.` },
        { question: `Draw a picture of text ${n}.`, context: `She have ${n} cats.` },
        { question: `Correct the errors in passage ${n}.`, context: `They was ${n} late.` },
        { question: `Polish the vague wording of note ${n}.`, context: `It were ${n} nice.` },
      ],
    });
  }
  if (has(req, 'pass')) {
    if (req.prompt.includes('Draw a picture'))
      return '{"reason": "needs an image, not text", "pass": false}';
    if (req.prompt.includes('Answer:\nI cannot'))
      return '{"reason": "the answer refuses the task", "pass": false}';
    return '{"reason": "clear and correct", "pass": true}';
  }
  if (has(req, 'tags'))
    return JSON.stringify({ tags: [req.prompt.includes('vague') ? 'poor' : 'good'] });
  // An answer: passages get a refusal the judge will fail.
  return req.prompt.includes('passage') ? 'I cannot do that.' : 'Corrected: He goes to school.';
}

describe.runIf(available)("DiGiT's InstructLab skills task runs unchanged", () => {
  it('grammar (grounded): tasks and answers judged, rated, deduplicated and filtered, rejects kept with reasons', async () => {
    const server = await startFakeOpenAI({ reply: skillsModel });
    servers.push(server);
    const dir = await tempDir();
    const result = await runCli(
      [
        'run',
        '--task-paths',
        GRAMMAR,
        '--engine',
        'openai',
        '--model',
        'M',
        '--base-url',
        server.baseURL,
        '--num-outputs-to-generate',
        '3',
        '--output-dir',
        'out',
      ],
      { cwd: dir, env },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('warning:');
    const final = await readJsonl(path.join(dir, OUT, 'final_data.jsonl'));
    expect(final).toHaveLength(3);
    for (const record of final) {
      expect(record).toMatchObject({
        is_seed: false,
        question: expect.stringMatching(/^Fix the grammar of text \d+\.$/),
        context: expect.stringContaining('He go to school'),
        answer: 'Corrected: He goes to school.',
        quality: 'good',
      });
    }
    // Grounded: the seed's context is shown to the generator.
    const first = server.requests.find((req) => has(req, 'tasks'))!;
    expect(first.prompt).toContain('Context: Henry Edwards');
    const judged = await readJsonl(path.join(dir, OUT, 'blocks/validator.jsonl'));
    const reasons = judged.map((row) => String(row._reason));
    expect(reasons.some((r) => r.includes('needs an image'))).toBe(true);
    expect(reasons.some((r) => r.includes('the answer refuses the task'))).toBe(true);
    const filtered = await readJsonl(path.join(dir, OUT, 'blocks/filter.jsonl'));
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((row) => row.quality === 'poor')).toBe(true);
  });

  it("configs/public/instructlab/watsonx_skills.yaml applies with DiGiT's env names (WATSONX_API_URL): generator, judge and tagger on watsonx", async () => {
    const server = await startFakeWatsonx({ reply: skillsModel });
    servers.push(server);
    const dir = await tempDir();
    const result = await runCli(
      [
        'run',
        '--task-paths',
        GRAMMAR,
        '--config-path',
        path.join(COMPAT, 'configs/public/instructlab/watsonx_skills.yaml'),
        '--num-outputs-to-generate',
        '2',
        '--output-dir',
        'out',
      ],
      {
        cwd: dir,
        env: {
          ...env,
          WATSONX_API_URL: server.url,
          WATSONX_IAM_URL: server.url,
          WATSONX_API_KEY: FAKE_WATSONX_API_KEY,
          WATSONX_PROJECT_ID: 'proj',
        },
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(await readJsonl(path.join(dir, OUT, 'final_data.jsonl'))).toHaveLength(2);
    const models = new Set(server.requests.map((req) => req.body.model_id));
    expect([...models]).toEqual(['mistralai/mistral-medium-2505']);
    // The judge's default temperature 0 survives the override of its lm_config's type and model.
    const judge = server.requests.find((req) => has(req, 'pass'))!;
    expect(judge.body.temperature).toBe(0);
  });

  it('grammar runs with --engine mock too', async () => {
    const dir = await tempDir();
    // The mock's verdicts and ratings are random (about one item in ten passes every check):
    // allow more attempts without a new record than the default before calling it stalled.
    const result = await runCli(
      [
        'run',
        '--task-paths',
        GRAMMAR,
        '--max-stalled-requests',
        '40',
        '--engine',
        'mock',
        '--num-outputs-to-generate',
        '3',
        '--output-dir',
        'out',
      ],
      { cwd: dir, env },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(await readJsonl(path.join(dir, OUT, 'final_data.jsonl'))).toHaveLength(3);
  });
});
