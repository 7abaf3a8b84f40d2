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
    const result = await runCli(['validate', 'task.yaml'], { cwd: dir });
    expect(result.code).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /task\.yaml:\d+: task "examples\/tool_calling\/assistant": key "risk_policy" is not used by databuilder tool_calling \(it reads "tools", /,
    );
  });
});
