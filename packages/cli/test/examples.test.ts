import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createRandom, plausibleText, readYamlSource, sampleFromJsonSchema } from '@dgt/core';
import {
  type FakeLmServer,
  type FakeRequest,
  guardianConfig,
  guardianReply,
  startFakeOpenAI,
} from '@dgt/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, tempDir } from './run-cli.js';

const EXAMPLES = path.join(REPO, 'examples');

/** Every `examples/<name>/task.yaml`, so a new example is covered as soon as it is added. */
const folders = (await readdir(EXAMPLES, { withFileTypes: true }))
  .filter(
    (entry) => entry.isDirectory() && existsSync(path.join(EXAMPLES, entry.name, 'task.yaml')),
  )
  .map((entry) => entry.name)
  .sort();

/** An example's task file, and the `dgt run` arguments that run it (with its override file). */
async function exampleRun(folder: string) {
  const taskFile = path.join(EXAMPLES, folder, 'task.yaml');
  const task = (await readYamlSource(taskFile)).data as Record<string, unknown>;
  const override = path.join(EXAMPLES, folder, 'override.yaml');
  const args = [
    'run',
    '--task-paths',
    taskFile,
    ...(existsSync(override) ? ['--config-path', override] : []),
  ];
  return { task, args };
}

/** Known answers of the examples' transformation data, for replies that must reach them. */
const answers = new Map<string, string>();

/**
 * Replies as the fake server's default does (JSON filling the requested schema), except where a
 * random reply could never pass: an LM judge's verdict is a pass, and chain-of-thought reasoning
 * ends in the problem's known answer.
 */
function reply(req: FakeRequest): string {
  // Granite Guardian requests get the fake's guardian verdict (requests risky, replies safe).
  if (guardianConfig(req)) return guardianReply(req);
  const random = createRandom(`${req.index}#${req.prompt.length}`);
  const properties = (req.schema?.properties ?? {}) as Record<string, unknown>;
  if ('pass' in properties) return JSON.stringify({ reason: 'meets the criterion', pass: true });
  // A Magpie rating the example's filter keeps (a random level would drop ~2 pairs in 3).
  if ('input_quality' in properties)
    return JSON.stringify({ explanation: 'clear and specific', input_quality: 'good' });
  if ('score' in properties) return JSON.stringify({ explanation: 'correct', score: '5' });
  if ('final_answer' in properties) {
    const known = [...answers].find(([question]) => req.prompt.includes(question));
    return JSON.stringify({
      steps: ['Read the problem carefully.', 'Work out the quantity it asks for.'],
      final_answer: known?.[1] ?? 'unknown',
    });
  }
  if (req.schema) return JSON.stringify(sampleFromJsonSchema(req.schema, random));
  return plausibleText(random, 2);
}

let server: FakeLmServer;
beforeAll(async () => {
  for (const folder of folders) {
    for (const record of await readJsonl(path.join(EXAMPLES, folder, 'data.jsonl'))) {
      if (typeof record.question === 'string' && record.answer !== undefined)
        answers.set(record.question, String(record.answer));
    }
  }
  server = await startFakeOpenAI({ reply });
});
afterAll(() => server.close());

describe('every example under examples/ runs with the run-wide engine flags', () => {
  it('finds the examples (at least six tasks)', () => {
    expect(folders.length).toBeGreaterThanOrEqual(6);
    expect(folders).toEqual(
      expect.arrayContaining(['simple-skills', 'knowledge-qa', 'cot', 'tool-calling']),
    );
  });

  it.each(folders)('examples/%s completes and writes its formatted output', async (folder) => {
    const { task, args } = await exampleRun(folder);
    const dir = await tempDir();
    const result = await runCli(
      [
        ...args,
        '--engine',
        'openai',
        '--model',
        'M',
        '--base-url',
        server.baseURL,
        '--output-dir',
        'out',
        '--save-formatted-output',
      ],
      { cwd: dir },
    );
    expect(result.stderr).not.toContain('    at ');
    expect(result.code, result.stderr).toBe(0);
    const out = path.join(dir, 'out', String(task.task_name));
    const [summary] = await readJsonl(path.join(out, 'task_results.jsonl'));
    expect(summary).toMatchObject({ status: 'completed' });
    const final = await readJsonl(path.join(out, 'final_data.jsonl'));
    expect(final.length).toBeGreaterThan(0);
    const target = (task.runner_config as Record<string, unknown> | undefined)
      ?.num_outputs_to_generate;
    if (typeof target === 'number') expect(final).toHaveLength(target);
    if (task.formatter) {
      const formatted = await readJsonl(path.join(out, 'formatted_data.jsonl'));
      expect(formatted).toHaveLength(final.length);
    }
  });

  it('the formatters of the new examples write training records of the declared shape', async () => {
    // Spot-check the shapes (the runs above left them in their own temp folders; rerun two).
    const dir = await tempDir();
    for (const folder of ['simple-skills', 'tool-calling']) {
      const result = await runCli(
        [
          'run',
          '--task-paths',
          path.join(EXAMPLES, folder, 'task.yaml'),
          '--engine',
          'openai',
          '--model',
          'M',
          '--base-url',
          server.baseURL,
          '--output-dir',
          'out',
        ],
        { cwd: dir },
      );
      expect(result.code, result.stderr).toBe(0);
    }
    const [chat] = await readJsonl(
      path.join(dir, 'out/examples/simple_skills/unit_conversion/formatted_data.jsonl'),
    );
    expect((chat!.messages as { role: string }[]).map((m) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
    ]);
    const [tools] = await readJsonl(
      path.join(dir, 'out/examples/tool_calling/assistant/formatted_data.jsonl'),
    );
    expect(Object.keys(tools!)).toEqual(['tools', 'messages']);
    const [, assistant] = tools!.messages as { role: string; tool_calls: unknown[] }[];
    expect(assistant!.tool_calls.length).toBeGreaterThan(0);
    expect(
      JSON.parse(await readFile(path.join(EXAMPLES, 'tool-calling/tools.json'), 'utf8')),
    ).toHaveLength((tools!.tools as unknown[]).length);
  });
});

describe('every example under examples/ makes records with --engine mock (a dry run)', () => {
  it.each(folders)('examples/%s', async (folder) => {
    const { task, args } = await exampleRun(folder);
    const dir = await tempDir();
    const result = await runCli([...args, '--engine', 'mock', '--output-dir', 'out'], {
      cwd: dir,
    });
    expect(result.code, result.stderr).toBe(0);
    const final = await readJsonl(
      path.join(dir, 'out', String(task.task_name), 'final_data.jsonl'),
    );
    expect(final.length).toBeGreaterThan(0);
    const target = (task.runner_config as Record<string, unknown> | undefined)
      ?.num_outputs_to_generate;
    if (typeof target === 'number') expect(final).toHaveLength(target);
    // Generated text comes from the task's own examples: most outputs share words with the seeds.
    const seeds = (task.seed_examples ?? []) as Record<string, unknown>[];
    if (seeds.length && typeof seeds[0]!.question === 'string') {
      const words = new Set(
        seeds.flatMap(
          (s) =>
            String(s.question)
              .toLowerCase()
              .match(/[a-z]{4,}/g) ?? [],
        ),
      );
      const related = final.filter((r) =>
        (
          String(r.question)
            .toLowerCase()
            .match(/[a-z]{4,}/g) ?? []
        ).some((w) => words.has(w)),
      );
      expect(related.length / final.length).toBeGreaterThan(0.5);
    }
  });
});
