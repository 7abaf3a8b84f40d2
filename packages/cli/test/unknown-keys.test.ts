import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, tempDir } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');

/** A project whose override misspells `temperature` on the geography builder's generator. */
async function typoProject() {
  const dir = await tempDir();
  await writeFile(
    path.join(dir, 'override.yaml'),
    'databuilders:\n  public/examples/geography_qa:\n    blocks:\n      - name: generator\n        type: mock\n        temprature: 0.7\n        top_k: 40\n',
  );
  return dir;
}

const args = [
  'run',
  '--task-paths',
  GEOGRAPHY,
  '--config-path',
  'override.yaml',
  '--num-outputs-to-generate',
  '5',
  '--output-dir',
  'out',
];

describe('a block key that looks like a typo', () => {
  it('is reported on stderr with the override line and the key meant, and the run still succeeds', async () => {
    const dir = await typoProject();
    const result = await runCli(args, { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `warning: ${path.join(dir, 'override.yaml')}:6 block "generator" (mock): unknown key "temprature" — did you mean "temperature"? It is passed to the provider as is.`,
    );
    // A real provider parameter next to it is not mistaken for a typo of top_p.
    expect(result.stderr).not.toContain('"top_k"');
    expect(
      await readJsonl(path.join(dir, 'out/examples/geography_qa/final_data.jsonl')),
    ).toHaveLength(5);
  });

  it('is a warning event in --json output', async () => {
    const dir = await typoProject();
    const result = await runCli([...args, '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const events = result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; message?: string });
    const warnings = events.filter((e) => e.type === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('unknown key "temprature"');
  });

  it('is reported by dgt validate too, which still passes the task', async () => {
    const dir = await typoProject();
    const validateArgs = ['validate', GEOGRAPHY, '--config-path', 'override.yaml'];
    const result = await runCli(validateArgs, { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('unknown key "temprature" — did you mean "temperature"?');
    const json = await runCli([...validateArgs, '--json'], { cwd: dir });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { ok: boolean; warnings: string[] };
    expect(report.ok).toBe(true);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toContain('override.yaml:6');
  });

  it("is found in the LM settings inside another block (an lm_judge's lm:), by run and validate", async () => {
    const dir = await tempDir();
    await writeFile(
      path.join(dir, 'override.yaml'),
      'databuilders:\n  instructlab/knowledge:\n    blocks:\n      - name: validator\n        lm:\n          type: mock\n          temprature: 0.2\n',
    );
    const knowledge = path.join(REPO, 'examples/knowledge-qa/task.yaml');
    const expected =
      'block "validator/lm" (mock): unknown key "temprature" — did you mean "temperature"?';
    const run = await runCli(
      [
        'run',
        '--task-paths',
        knowledge,
        '--config-path',
        'override.yaml',
        '--engine',
        'mock',
        '--output-dir',
        'out',
      ],
      { cwd: dir },
    );
    expect(run.code).toBe(0);
    expect(run.stderr.split(expected)).toHaveLength(2);
    const validate = await runCli(
      ['validate', knowledge, '--config-path', 'override.yaml', '--engine', 'mock'],
      { cwd: dir },
    );
    expect(validate.code).toBe(0);
    expect(validate.stderr).toContain(expected);
  });
});

describe('a task key no part of the run reads', () => {
  it("is warned with its file:line and the builder's own keys; keys the builder reads are not", async () => {
    const dir = await tempDir();
    const source = await readFile(path.join(REPO, 'examples/tool-calling/task.yaml'), 'utf8');
    await writeFile(
      path.join(dir, 'task.yaml'),
      `${source.replace('tools: tools.json', `tools: ${path.join(REPO, 'examples/tool-calling/tools.json')}`)}\nrisk_policy:\n  risk: none\n`,
    );
    // The tools file lies outside the temp folder: that warning is not what this test is about.
    const result = await runCli(['validate', 'task.yaml', '--allow-outside-includes'], {
      cwd: dir,
    });
    expect(result.code).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /task\.yaml:\d+ task "examples\/tool_calling\/assistant": unknown key "risk_policy": builder tool_calling does not read it \(it reads tools/,
    );
  });
});

/** A geography task whose runner keys are misspelled (and a misspelled `runner_config:`). */
async function taskTypoProject() {
  const dir = await tempDir();
  await writeFile(
    path.join(dir, 'task.yaml'),
    [
      'task_name: typos',
      'data_builder: geography_qa',
      'num_output_to_generate: 5',
      'runner_confg:',
      '  seed_batch_size: 2',
      'runner_config:',
      '  max_stalled_request: 3',
      'seed_examples:',
      '  - {question: What is the capital of Peru?, answer: Lima}',
      '',
    ].join('\n'),
  );
  return dir;
}

const TASK_TYPOS = [
  'task.yaml:3 task "typos": unknown key "num_output_to_generate" — did you mean "num_outputs_to_generate"? It is ignored.',
  'task.yaml:4 task "typos": unknown key "runner_confg" — did you mean "runner_config"? It is ignored.',
  'task.yaml:7 task "typos" runner_config: unknown key "max_stalled_request" — did you mean "max_stalled_requests"? It is ignored.',
];

describe('a task key that nothing reads', () => {
  it('is warned by run with its line and the key meant', async () => {
    const dir = await taskTypoProject();
    const result = await runCli(
      ['run', '--task-paths', 'task.yaml', '--engine', 'mock', '--output-dir', 'out'],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    for (const warning of TASK_TYPOS)
      expect(result.stderr).toContain(`warning: ${path.join(dir, warning)}`);
  });

  it('is warned by validate (text and --json), and is an error with --strict', async () => {
    const dir = await taskTypoProject();
    const text = await runCli(['validate', 'task.yaml', '--engine', 'mock'], { cwd: dir });
    expect(text.code).toBe(0);
    for (const warning of TASK_TYPOS) expect(text.stderr).toContain(path.join(dir, warning));

    const json = await runCli(['validate', 'task.yaml', '--engine', 'mock', '--json'], {
      cwd: dir,
    });
    const report = JSON.parse(json.stdout) as { ok: boolean; warnings: string[] };
    expect(json.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.warnings).toEqual(TASK_TYPOS.map((w) => path.join(dir, w)));

    const strict = await runCli(
      ['validate', 'task.yaml', '--engine', 'mock', '--strict', '--json'],
      {
        cwd: dir,
      },
    );
    expect(strict.code).toBe(2);
    const failed = JSON.parse(strict.stdout) as {
      ok: boolean;
      errors: { code: string; message: string }[];
    };
    expect(failed.ok).toBe(false);
    expect(failed.errors.map((e) => e.code)).toEqual(['UNKNOWN_KEY', 'UNKNOWN_KEY', 'UNKNOWN_KEY']);
    const strictText = await runCli(['validate', 'task.yaml', '--engine', 'mock', '--strict'], {
      cwd: dir,
    });
    expect(strictText.code).toBe(2);
    expect(strictText.stderr).toContain('dgt: error: ');
    expect(strictText.stderr).toContain('"runner_confg" — did you mean "runner_config"?');
  });

  it('is warned in an override file, under tasks: and databuilders:', async () => {
    const dir = await tempDir();
    await writeFile(
      path.join(dir, 'override.yaml'),
      'tasks:\n  examples/geography_qa:\n    runner_config:\n      num_output_to_generate: 3\ndatabuilders:\n  public/examples/geography_qa:\n    postprocesors: []\n',
    );
    const result = await runCli(['validate', GEOGRAPHY, '--config-path', 'override.yaml'], {
      cwd: dir,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `${path.join(dir, 'override.yaml')}:4 task "examples/geography_qa" runner_config: unknown key "num_output_to_generate" — did you mean "num_outputs_to_generate"?`,
    );
    expect(result.stderr).toContain(
      `${path.join(dir, 'override.yaml')}:7 builder public/examples/geography_qa: unknown key "postprocesors" — did you mean "postprocessors"?`,
    );
  });

  it('is not reported for the shipped examples', async () => {
    const dir = await tempDir();
    const result = await runCli(
      ['validate', path.join(REPO, 'examples/*/task.yaml'), '--engine', 'mock', '--strict'],
      { cwd: dir },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('a key of a datastore or formatter mapping that looks like a typo', () => {
  it('is warned by validate with its line and the key meant', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'seeds.jsonl'), '{"question": "q", "answer": "a"}\n');
    await writeFile(
      path.join(dir, 'task.yaml'),
      [
        'task_name: mappings',
        'data_builder: geography_qa',
        'seed_datastore:',
        '  type: default',
        '  data_pth: seeds.jsonl',
        'formatter:',
        '  type: messages',
        '  sytem: You answer geography questions.',
        'seed_examples:',
        '  - {question: What is the capital of Peru?, answer: Lima}',
        '',
      ].join('\n'),
    );
    const result = await runCli(['validate', 'task.yaml', '--engine', 'mock'], { cwd: dir });
    expect(result.stderr).toContain(
      `${path.join(dir, 'task.yaml')}:5 task "mappings" seed_datastore: unknown key "data_pth" — did you mean "data_path"? It is ignored.`,
    );
    expect(result.stderr).toContain(
      `${path.join(dir, 'task.yaml')}:8 task "mappings" formatter: unknown key "sytem" — did you mean "system"? It is ignored.`,
    );
  });

  it('goes with the error it causes: a misspelled data_path leaves the task without seeds', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'seeds.jsonl'), '{"question": "q", "answer": "a"}\n');
    await writeFile(
      path.join(dir, 'task.yaml'),
      [
        'task_name: typo_seeds',
        'data_builder: geography_qa',
        'seed_datastore:',
        '  type: default',
        '  data_pth: seeds.jsonl',
        '',
      ].join('\n'),
    );
    const result = await runCli(['run', '--task-paths', 'task.yaml', '--engine', 'mock'], {
      cwd: dir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('    at ');
    expect(result.stderr).toContain(
      `${path.join(dir, 'task.yaml')}:5 task "typo_seeds" seed_datastore: unknown key "data_pth" — did you mean "data_path"?`,
    );
  });
});
