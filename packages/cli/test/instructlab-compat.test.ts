import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type FakeLmServer, type FakeRequest, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { compatAvailable } from './compat-fixtures.js';
import { COMPAT, readJsonl, runCli, tempDir } from './run-cli.js';

// DiGiT's own InstructLab files are read from ../shared beside the repository, never copied.
const available = compatAvailable();
const env = { DGT_DATA_DIR: path.join(COMPAT, 'data') };
const TEMPORAL = path.join(COMPAT, 'tasks/public/instructlab/simple/temporal_reasoning/task.yaml');

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function openai(reply?: (req: FakeRequest) => string) {
  const server = await startFakeOpenAI(reply ? { reply } : {});
  servers.push(server);
  return server;
}

const engine = (server: FakeLmServer) => [
  '--engine',
  'openai',
  '--model',
  'M',
  '--base-url',
  server.baseURL,
];

describe.runIf(available)("DiGiT's InstructLab simple files run unchanged", () => {
  it('tasks/public/instructlab/simple/temporal_reasoning/task.yaml generates the asked count', async () => {
    const server = await openai();
    const dir = await tempDir();
    const result = await runCli(
      [
        'run',
        '--task-paths',
        TEMPORAL,
        ...engine(server),
        '--num-outputs-to-generate',
        '9',
        '--output-dir',
        'out',
      ],
      { cwd: dir, env },
    );
    expect(result.code, result.stderr).toBe(0);
    const final = await readJsonl(
      path.join(dir, 'out/public/instructlab/simple/temporal_reasoning/final_data.jsonl'),
    );
    expect(final).toHaveLength(9);
    expect(final[0]).toMatchObject({
      is_seed: false,
      question: expect.any(String),
      answer: expect.any(String),
    });
    // The seed is shown in DiGiT's * Task layout.
    expect(server.requests[0]!.prompt).toContain('Who reached first and who reached last?');
    expect(server.requests[0]!.prompt).toContain('** Instruction');
  });

  it('a simple_full_config.yaml-style override (task_files, include, per-task counts) gives exactly the counts it asks for', async () => {
    const server = await openai();
    const dir = await tempDir();
    // Modelled on DiGiT's configs/public/instructlab/simple_full_config.yaml: one task defined in
    // the override, one patched (its own count and extra seeds through include:).
    await writeFile(
      path.join(dir, 'simple_full_config.yaml'),
      `tasks:
  public/instructlab/simple/logical_reasoning/causal:
    created_by: IBM
    data_builder: public/instructlab/simple
    runner_config:
      num_outputs_to_generate: 14
      seed_batch_size: 10
    seed_examples:
      - answer: "No. Summer makes days longer, but other seasons can have long days too."
        question: "If it is summer, then the days are longer. Are the days longer if it is not summer?"
      - answer: "No. Knowing that some mammals are black says nothing about cats in particular."
        question: If all cats are mammals and some mammals are black, can we conclude that some cats are black?
    task_description: To teach a language model about Logical Reasoning - causal relationships
  public/instructlab/simple/temporal_reasoning:
    created_by: IBM
    task_description: "To teach a language model about chronological order of time. \\n"
    runner_config:
      num_outputs_to_generate: 7
      seed_batch_size: 10
    include:
      seed_examples: "\${DGT_DATA_DIR}/public/instructlab/simple/temporal_reasoning/additional_seed_examples.yaml"
task_files:
  - ${TEMPORAL}
`,
    );
    const result = await runCli(
      ['run', '--config-path', 'simple_full_config.yaml', ...engine(server), '--output-dir', 'out'],
      { cwd: dir, env },
    );
    expect(result.code, result.stderr).toBe(0);
    const out = path.join(dir, 'out/public/instructlab/simple');
    expect(
      await readJsonl(path.join(out, 'logical_reasoning/causal/final_data.jsonl')),
    ).toHaveLength(14);
    expect(await readJsonl(path.join(out, 'temporal_reasoning/final_data.jsonl'))).toHaveLength(7);
    // The included seeds are in-context examples of the temporal task.
    const prompts = server.requests.map((r) => r.prompt).join('\n');
    expect(prompts).toMatch(/Emma|Emily/);
    expect(prompts).toContain('some cats are black');
  });
});

const DOCUMENT = `# The Hanseatic League

The Hanseatic League was an alliance of merchant guilds and market towns in northern Europe. It grew from the thirteenth century and for about three hundred years dominated trade across the Baltic Sea and the North Sea.

Lübeck was its leading city. The league kept trading posts, called kontors, in London, Bruges, Bergen and Novgorod, where its merchants lived under their own rules.

Typical cargoes were grain, timber, furs, wax and salted herring from the east, and cloth, wine and salt from the west. The league declined in the sixteenth century as territorial states grew stronger and trade routes shifted to the Atlantic.
`;

describe('a DiGiT knowledge task file (shape of tasks/public/instructlab/knowledge/…/task.yaml) runs unchanged', () => {
  it('writes question/answer records grounded in the included document', async () => {
    const dir = await tempDir();
    const data = path.join(dir, 'data/public/instructlab/knowledge/textbook/history/hansa');
    await mkdir(data, { recursive: true });
    await writeFile(path.join(data, 'hansa.md'), DOCUMENT);
    await writeFile(
      path.join(dir, 'task.yaml'),
      `task_name: instructlab/knowledge/textbook/history/hansa
task_description: To teach a language model about the Hanseatic League
created_by: DGT tests
data_builder: instructlab/knowledge

seed_examples:
  - question: What is a guild?
    answer: An association of merchants or craftsmen who protect their common interests.
  - question: What is a trading post?
    answer: A place where merchants from elsewhere settle to buy and sell goods.

include:
  documents:
    hansa: \${DGT_DATA_DIR}/public/instructlab/knowledge/textbook/history/hansa/hansa.md

domain: history
chunk_size: 50
num_icl_examples_per_prompt: 2
question_style: FRQ
criteria:
  - faithfulness
  - relevancy
  - question_verification
formatter:
  type: messages
`,
    );
    const server = await openai((req) => {
      if (req.schema && 'pass' in (req.schema.properties as object))
        return '{"reason": "supported by the document", "pass": true}';
      // Answers quote the chunk the request shows, as a faithful model would.
      const chunk = /Document:\n([\s\S]*?)\n\n/.exec(req.prompt)![1]!;
      const sentence = chunk.replace(/^#.*\n+/, '').split('. ')[0]!;
      return JSON.stringify({
        pairs: [{ question: `What does the text state, point ${req.index}?`, answer: sentence }],
      });
    });
    const result = await runCli(
      [
        'run',
        '--task-paths',
        'task.yaml',
        ...engine(server),
        '--num-outputs-to-generate',
        '5',
        '--output-dir',
        'out',
        '--save-formatted-output',
      ],
      { cwd: dir, env: { DGT_DATA_DIR: path.join(dir, 'data') } },
    );
    expect(result.code, result.stderr).toBe(0);
    const out = path.join(dir, 'out/instructlab/knowledge/textbook/history/hansa');
    const final = await readJsonl(path.join(out, 'final_data.jsonl'));
    expect(final).toHaveLength(5);
    for (const record of final) {
      expect(record).toMatchObject({ document: 'hansa', domain: 'history' });
      expect(DOCUMENT).toContain(String(record.context));
      expect(String(record.context)).toContain(String(record.answer));
    }
    const formatted = await readJsonl(path.join(out, 'formatted_data.jsonl'));
    expect(formatted[0]).toMatchObject({
      messages: [
        { role: 'user', content: final[0]!.question },
        { role: 'assistant', content: final[0]!.answer },
      ],
    });
  });
});
