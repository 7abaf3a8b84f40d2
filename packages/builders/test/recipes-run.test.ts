import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { discoverPlugins, type Registry, runTasks } from '@dgt/core';
import { type FakeLmServer, type FakeRequest, startFakeOpenAI } from '@dgt/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const WORDS = 'amber basalt cedar delta ember fjord garnet harbor indigo juniper kelp lagoon'.split(
  ' ',
);
const word = (i: number) => WORDS[i % WORDS.length]!;
const packageDir = path.resolve(import.meta.dirname, '..');

let registry: Registry;
beforeAll(async () => {
  registry = await discoverPlugins({ projectRoot: packageDir });
});

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(reply: (req: FakeRequest) => string) {
  const server = await startFakeOpenAI({ reply });
  servers.push(server);
  return server;
}

async function jsonl(file: string) {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function run(
  dir: string,
  server: FakeLmServer,
  extra: { numOutputsToGenerate?: number } = {},
) {
  return runTasks({
    taskPaths: [path.join(dir, 'task.yaml')],
    cwd: dir,
    env: {},
    registry,
    engine: { type: 'openai', model: 'm', baseUrl: server.baseURL },
    runner: { ...extra },
  });
}

describe('simple (InstructLab self-instruct)', () => {
  it('shows num_prompt_instructions examples per request and rejects malformed items with a reason', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-simple-'));
    await writeFile(
      path.join(dir, 'task.yaml'),
      [
        'task_name: sorting',
        'task_description: Put events in order',
        'data_builder: instructlab/simple',
        'num_prompt_instructions: 3',
        'num_questions_per_prompt: 2',
        'seed_examples:',
        '  - {question: Order breakfast and lunch by time of day., answer: Breakfast then lunch.}',
        '  - {instruction: Which came first in the list below?, input: "Rome, Paris", output: Rome}',
        '  - {question: Sort the three numbers from smallest to largest., context: "9, 2, 5", answer: "2, 5, 9"}',
      ].join('\n'),
    );
    let n = 0;
    const server = await serve(() => {
      n++;
      return JSON.stringify({
        pairs: [
          {
            question: `Arrange the following ${n} historical events in order please.`,
            context: '',
            answer: `Order ${n}.`,
          },
          // Too short (DiGiT drops instructions of three words or fewer) and an image task.
          { question: 'Sort these.', context: '', answer: 'x' },
          {
            question: `Draw a timeline picture of event number ${n} for me.`,
            context: '',
            answer: 'y',
          },
        ],
      });
    });
    const result = await run(dir, server, { numOutputsToGenerate: 8 });
    expect(result.status).toBe('completed');
    const final = await jsonl(path.join(dir, 'output/sorting/final_data.jsonl'));
    expect(final).toHaveLength(8);
    expect(final.every((r) => String(r.question).startsWith('Arrange'))).toBe(true);
    const prompt = server.requests[0]!.prompt;
    expect(prompt.match(/\*\* Instruction/g)).toHaveLength(3);
    expect(prompt).toContain('Put events in order');
    expect(prompt).toContain('Rome, Paris');
    const short = await jsonl(path.join(dir, 'output/sorting/blocks/instruction_length.jsonl'));
    expect(short[0]).toMatchObject({ question: 'Sort these.' });
    expect(String(short[0]!._reason)).toMatch(/fewer than the minimum 4/);
    const banned = await jsonl(path.join(dir, 'output/sorting/blocks/instruction_filter.jsonl'));
    expect(String(banned[0]!.question)).toMatch(/^Draw a timeline picture/);
  });
});

const PHOTOSYNTHESIS = `# Photosynthesis

Photosynthesis is the process by which green plants, algae and some bacteria turn light energy into chemical energy. It takes place mainly in the chloroplasts of leaf cells, where the green pigment chlorophyll absorbs red and blue light.

The light-dependent reactions happen in the thylakoid membranes. They split water molecules, release oxygen as a by-product, and store energy in ATP and NADPH.

The Calvin cycle happens in the stroma. It uses the ATP and NADPH to fix carbon dioxide from the air into a three-carbon sugar, from which the plant builds glucose, starch and cellulose.
`;

describe('knowledge (InstructLab knowledge)', () => {
  it("runs a task file shaped like DiGiT's photosynthesis task unchanged; records are grounded in their chunk", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-knowledge-'));
    await writeFile(path.join(dir, 'photosynthesis.md'), PHOTOSYNTHESIS);
    // The keys and layout of DiGiT's tasks/public/instructlab/knowledge/…/photosynthesis/task.yaml.
    await writeFile(
      path.join(dir, 'task.yaml'),
      `task_name: instructlab/knowledge/textbook/science/biology/photosynthesis
task_description: To teach a language model about photosynthesis
created_by: IBM Research
data_builder: instructlab/knowledge

seed_examples:
  - question: What is respiration?
    answer: Respiration is the process that releases energy from food in cells.
  - question: What is an ecosystem?
    answer: A community of organisms and their physical environment interacting together.
  - question: What is metabolism?
    answer: The chemical reactions in cells that change food into energy.

include:
  documents:
    photosynthesis: \${DGT_DOCS}/photosynthesis.md

domain: biology
chunk_size: 40
num_icl_examples_per_prompt: 2
question_style: FRQ
criteria:
  - faithfulness
  - relevancy
  - question_verification
formatter:
  type: native
  format:
    prompt: "{{ question }}"
    completion: "{{ answer }}"
runner_config:
  save_formatted_output: true
`,
    );
    let n = 0;
    const server = await serve((req) => {
      if (req.schema && 'pass' in (req.schema.properties as object)) {
        // The judge fails one pair on faithfulness only.
        const fail = req.prompt.includes('Faithfulness:') && req.prompt.includes('UNSUPPORTED');
        return JSON.stringify({ reason: fail ? 'not in the document' : 'fine', pass: !fail });
      }
      const chunk = /Document:\n([\s\S]*?)\n\n/.exec(req.prompt)![1]!;
      const firstSentence = chunk.replace(/^#.*\n+/, '').split('. ')[0]!;
      n++;
      return JSON.stringify({
        pairs: [
          { question: `What does the document say (${n})?`, answer: `${firstSentence}.` },
          { question: `UNSUPPORTED claim ${n}?`, answer: 'Plants eat rocks.' },
        ],
      });
    });
    const result = await runTasks({
      taskPaths: [path.join(dir, 'task.yaml')],
      cwd: dir,
      env: { DGT_DOCS: dir },
      registry,
      engine: { type: 'openai', model: 'm', baseUrl: server.baseURL },
      runner: { numOutputsToGenerate: 6 },
    });
    expect(result.status).toBe('completed');
    const out = path.join(
      dir,
      'output/instructlab/knowledge/textbook/science/biology/photosynthesis',
    );
    const final = await jsonl(path.join(out, 'final_data.jsonl'));
    expect(final).toHaveLength(6);
    for (const record of final) {
      expect(record).toMatchObject({
        document: 'photosynthesis',
        domain: 'biology',
        is_seed: false,
      });
      expect(PHOTOSYNTHESIS).toContain(String(record.context));
      expect(String(record.context).split(/\s+/).length).toBeLessThanOrEqual(40);
      expect(String(record.context)).toContain(String(record.answer).replace(/\.$/, ''));
    }
    // Several chunks were asked about.
    expect(new Set(final.map((r) => r.context)).size).toBeGreaterThan(1);
    const rejected = await jsonl(path.join(out, 'blocks/validator.jsonl'));
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((r) => r.criterion === 'faithfulness')).toBe(true);
    expect(String(rejected[0]!._reason)).toContain('not in the document');
    // Each surviving pair was judged for all three criteria, one request each.
    const judged = server.requests.filter(
      (r) => r.schema && 'pass' in (r.schema.properties as object),
    );
    expect(judged.some((r) => r.prompt.includes('Question quality:'))).toBe(true);
    expect(server.requests[0]!.prompt).toContain('biology');
    expect(server.requests[0]!.prompt.match(/\[Question\]/g)!.length).toBeGreaterThanOrEqual(2);
    const formatted = await jsonl(path.join(out, 'formatted_data.jsonl'));
    expect(formatted).toHaveLength(6);
    expect(Object.keys(formatted[0]!)).toEqual(['prompt', 'completion']);
  });

  it("reads documents from DiGiT's knowledge datastore (JSONL with content) and writes multiple-choice questions", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-knowledge-'));
    await writeFile(
      path.join(dir, 'docs.jsonl'),
      `${JSON.stringify({ title: 'chloroplasts', content: 'Chloroplasts hold chlorophyll, which absorbs light.' })}\n`,
    );
    await writeFile(
      path.join(dir, 'task.yaml'),
      `task_name: mcq
data_builder: knowledge
seed_examples:
  - {question: Which organ pumps blood?, answer: The heart}
knowledge:
  datastore_config:
    type: default
    data_path: ${path.join(dir, 'docs.jsonl')}
question_style: multiple-choice
criteria: [faithfulness]
`,
    );
    const server = await serve((req) =>
      req.schema && 'pass' in (req.schema.properties as object)
        ? '{"reason": "ok", "pass": true}'
        : JSON.stringify({
            questions: [
              {
                question: `Which pigment of the ${word(req.index)} ${word(req.index * 5 + 3)} ${word(req.index * 7 + 1)} plant absorbs light?`,
                choices: ['Water', 'Chlorophyll', 'Salt', 'Sand'].map(
                  (c, i) => `${c} ${word(req.index + i)}`,
                ),
                answer: 'B',
              },
            ],
          }),
    );
    const result = await run(dir, server, { numOutputsToGenerate: 3 });
    expect(result.status).toBe('completed');
    const final = await jsonl(path.join(dir, 'output/mcq/final_data.jsonl'));
    expect(final).toHaveLength(3);
    expect(final[0]).toMatchObject({
      answer: expect.stringMatching(/^B\) Chlorophyll \w+$/),
      choices: [expect.any(String), expect.any(String), expect.any(String), expect.any(String)],
      document: 'chloroplasts',
      context: 'Chloroplasts hold chlorophyll, which absorbs light.',
    });
    expect(String(final[0]!.question)).toMatch(/\nD\) Sand \w+$/);
    expect(server.requests[0]!.schema).toHaveProperty('properties.questions');
  });

  it('refuses a task without documents, naming the key', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-knowledge-'));
    await writeFile(
      path.join(dir, 'task.yaml'),
      'task_name: nodocs\ndata_builder: knowledge\nseed_examples:\n  - {question: q, answer: a}\n',
    );
    const server = await serve(() => '{}');
    await expect(run(dir, server)).rejects.toThrow(/documents/);
    expect(server.requests).toHaveLength(0);
  });
});

describe('cot (chain of thought)', () => {
  it('keeps records whose reasoning ends in the given answer; the others go to blocks/answer_check.jsonl', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-cot-'));
    await writeFile(
      path.join(dir, 'data.jsonl'),
      [
        { question: 'What is 6 × 7?', answer: '42' },
        { question: 'What is 1,000 + 1?', answer: '1001' },
        { question: 'Capital of Peru?', answer: 'Lima' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    await writeFile(
      path.join(dir, 'task.yaml'),
      'task_name: reasoning\ndata_builder: cot\ndata:\n  data_path: data.jsonl\n',
    );
    const server = await serve((req) => {
      if (req.prompt.includes('6 × 7'))
        return JSON.stringify({ steps: ['6 × 7 = 42'], final_answer: '42' });
      if (req.prompt.includes('1,000')) return 'Add one to a thousand.\nFinal answer: **1,001**';
      return JSON.stringify({ steps: ['It is the largest city.'], final_answer: 'Cusco' });
    });
    const result = await run(dir, server);
    expect(result.status).toBe('completed');
    const final = await jsonl(path.join(dir, 'output/reasoning/final_data.jsonl'));
    expect(final.map((r) => r.answer)).toEqual(['42', '1001']);
    expect(final[0]).toMatchObject({ reasoning: '6 × 7 = 42', reasoning_answer: '42' });
    expect(server.requests[0]!.prompt).not.toContain('The correct answer is');
    const rejected = await jsonl(path.join(dir, 'output/reasoning/blocks/answer_check.jsonl'));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ question: 'Capital of Peru?' });
    expect(String(rejected[0]!._reason)).toMatch(/ends in "Cusco", not the given answer "Lima"/);
  });
});

describe('tool_calling', () => {
  it('generates requests with calls valid for the tools; invalid calls go to blocks/tool_check.jsonl', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dgt-tools-'));
    await writeFile(
      path.join(dir, 'tools.yaml'),
      `- name: get_weather
  description: Weather for a city
  parameters:
    type: object
    properties: {city: {type: string}}
    required: [city]
`,
    );
    await writeFile(
      path.join(dir, 'task.yaml'),
      `task_name: tools
data_builder: tool_calling
include:
  tools: tools.yaml
seed_examples:
  - question: Is it sunny in Oslo?
    tool_calls: [{name: get_weather, arguments: {city: Oslo}}]
`,
    );
    const server = await serve((req) =>
      JSON.stringify({
        examples: [
          {
            question: `Weather in city ${req.index}?`,
            tool_calls: [{ name: 'get_weather', arguments: { city: `C${req.index}` } }],
          },
          {
            question: `Book a flight ${req.index}`,
            tool_calls: [{ name: 'book_flight', arguments: {} }],
          },
          {
            question: `Weather, no city ${req.index}`,
            tool_calls: [{ name: 'get_weather', arguments: {} }],
          },
        ],
      }),
    );
    const result = await run(dir, server, { numOutputsToGenerate: 4 });
    expect(result.status).toBe('completed');
    const final = await jsonl(path.join(dir, 'output/tools/final_data.jsonl'));
    expect(final).toHaveLength(4);
    for (const record of final) {
      expect(record.tool_calls).toEqual([
        { name: 'get_weather', arguments: { city: expect.any(String) } },
      ]);
      expect((record.tools as { function: { name: string } }[])[0]!.function.name).toBe(
        'get_weather',
      );
    }
    const schema = server.requests[0]!.schema as any;
    expect(schema.properties.examples.items.properties.tool_calls.items.properties.name.const).toBe(
      'get_weather',
    );
    expect(server.requests[0]!.prompt).toContain('Request: Is it sunny in Oslo?');
    const rejected = await jsonl(path.join(dir, 'output/tools/blocks/tool_check.jsonl'));
    const reasons = rejected.map((r) => String(r._reason));
    expect(reasons.some((r) => r.includes('unknown tool "book_flight"'))).toBe(true);
    expect(reasons.some((r) => /missing argument.*city/.test(r))).toBe(true);
  });
});
