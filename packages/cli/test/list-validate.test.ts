import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const RATER = path.join(REPO, 'examples/qa-rater/task.yaml');

/** A project depending on a plugin whose code, if ever imported, leaves a marker file. */
async function projectWithTrapPlugin() {
  const dir = await tempDir();
  const plugin = path.join(dir, 'node_modules/trap-plugin');
  await mkdir(plugin, { recursive: true });
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'user', private: true, dependencies: { 'trap-plugin': '1.2.3' } }),
  );
  await writeFile(
    path.join(plugin, 'package.json'),
    JSON.stringify({
      name: 'trap-plugin',
      version: '1.2.3',
      type: 'module',
      exports: { './b': './b.js', './package.json': './package.json' },
      dgt: { manifest: 1, builders: { 'trap/builder': './b' }, blocks: { 'trap/block': './b' } },
    }),
  );
  await writeFile(
    path.join(plugin, 'b.js'),
    `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(path.join(dir, 'imported'))}, 'yes');\nexport default {};\n`,
  );
  return dir;
}

describe('dgt list', () => {
  it("lists the project's plugins with package and version without importing their code", async () => {
    const dir = await projectWithTrapPlugin();
    const text = await runCli(['list'], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Builders \(\d+\)$/m);
    expect(text.stdout).toMatch(/^ {2}trap\/builder\s+trap-plugin\s+1\.2\.3$/m);
    expect(text.stdout).toMatch(
      /^ {2}geography_qa\s+@dgt\/builders\s+\d+\.\d+\.\d+\s+aliases: public\/examples\/geography_qa$/m,
    );
    expect(text.stdout).toMatch(/^Formatters \(\d+\)$/m);

    const json = await runCli(['list', '--json'], { cwd: dir });
    const listed = JSON.parse(json.stdout) as Record<string, { id: string; package: string }[]>;
    expect(Object.keys(listed)).toEqual(['builders', 'blocks', 'datastores', 'formatters']);
    expect(listed.blocks).toContainEqual({
      id: 'trap/block',
      package: 'trap-plugin',
      version: '1.2.3',
    });
    expect(listed.datastores?.find((d) => d.id === 'jsonl')?.package).toBe('@dgt/core');
    expect(existsSync(path.join(dir, 'imported'))).toBe(false);
  });

  it('shows each builder once, with the other ids that name it as its aliases', async () => {
    const dir = await tempDir();
    const text = await runCli(['list', '--kind', 'builders'], { cwd: dir });
    expect(text.stdout).toMatch(/^Builders \(14\)$/m);
    expect(text.stdout).toMatch(
      /^ {2}simple\s+@dgt\/builders\s+\S+\s+aliases: instructlab\/simple, public\/instructlab\/simple$/m,
    );
    expect(text.stdout).not.toMatch(/^ {2}chain_of_thought\s/m);
    const json = await runCli(['list', '--kind', 'builders', '--json'], { cwd: dir });
    const builders = JSON.parse(json.stdout).builders as { id: string; aliases?: string[] }[];
    expect(builders.map((b) => b.id)).toEqual([
      'conversation',
      'cot',
      'geography_qa',
      'instructlab/skills',
      'knowledge',
      'magpie',
      'pipeline',
      'qa_rater',
      'rag/conversation',
      'safety/refusal',
      'simple',
      'time_series',
      'tool_calling',
      'tool_calling/multi_turn/stateless',
    ]);
    expect(builders.find((b) => b.id === 'cot')?.aliases).toEqual(['chain_of_thought']);
  });

  it('--kind narrows the list; a wrong kind is a usage error', async () => {
    const dir = await tempDir();
    const only = await runCli(['list', '--kind', 'blocks', '--json'], { cwd: dir });
    expect(Object.keys(JSON.parse(only.stdout))).toEqual(['blocks']);
    const wrong = await runCli(['list', '--kind', 'widgets'], { cwd: dir });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--kind widgets: expected one of builders, blocks');
  });
});

describe('dgt validate', () => {
  it('says OK per task and exits 0 for valid tasks', async () => {
    const result = await runCli(['validate', GEOGRAPHY, RATER], { cwd: REPO });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'ok  examples/geography_qa  (examples/geography-qa/task.yaml: builder public/examples/geography_qa, generation, target 20, 15 seed examples)',
    );
    expect(result.stdout).toMatch(/^ok {2}examples\/qa_ratings .*transformation\)$/m);
    expect(result.stdout).toContain('2 tasks valid; no model was called.');
  });

  it('applies run flags: overrides, engine and target', async () => {
    const dir = await tempDir();
    await writeFile(
      path.join(dir, 'override.yaml'),
      'databuilders:\n  public/examples/geography_qa:\n    blocks:\n      - name: generator\n        temperature: hot\n',
    );
    const bad = await runCli(['validate', GEOGRAPHY, '--config-path', 'override.yaml'], {
      cwd: dir,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/override\.yaml.*temperature/s);
    const ok = await runCli(
      ['validate', GEOGRAPHY, '--engine', 'mock', '--num-outputs-to-generate', '7'],
      { cwd: dir },
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('target 7');
  });

  it('reports every broken file, each with file:line and key, and exits 2 without calling a model', async () => {
    const dir = await tempDir();
    await writeFile(
      path.join(dir, 'bad.yaml'),
      'task_name: bad\ndata_builder: geography_qa\nrunner_config:\n  num_outputs_to_generate: -5\nseed_examples: {question: a}\n',
    );
    await writeFile(
      path.join(dir, 'typo.yaml'),
      'task_name: typo\ndata_builder: geografy_qa\nseed_examples: [{question: a, answer: b}]\n',
    );
    const result = await runCli(['validate', 'bad.yaml', GEOGRAPHY, 'typo.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bad.yaml:5: seed_examples: expected a list, found a mapping');
    expect(result.stderr).toContain(
      'bad.yaml:4: runner_config.num_outputs_to_generate: must be at least 0, found -5',
    );
    expect(result.stderr).toContain('typo.yaml:2: unknown databuilder "geografy_qa"');
    expect(result.stderr).toContain('dgt: 2 of 3 task paths have errors.');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // Nothing ran: no task wrote data (planning may create the output folder to check it).
    expect(existsSync(path.join(dir, 'output/examples/geography_qa/data.jsonl'))).toBe(false);

    const json = await runCli(['validate', 'bad.yaml', '--json'], { cwd: dir });
    expect(json.code).toBe(2);
    const report = JSON.parse(json.stdout) as { ok: boolean; errors: { code: string }[] };
    expect(report.ok).toBe(false);
    expect(report.errors[0]?.code).toBe('INVALID_TASK');
  });

  it('over a folder reports every unknown builder and formatter; run lists them all and refuses', async () => {
    const dir = await tempDir();
    const task = (name: string, extra: string) =>
      `task_name: ${name}\ncreated_by: t\n${extra}\nseed_examples:\n  - question: Q?\n    answer: A\n`;
    await mkdir(path.join(dir, 'tasks/a'), { recursive: true });
    await mkdir(path.join(dir, 'tasks/b'), { recursive: true });
    await mkdir(path.join(dir, 'tasks/c'), { recursive: true });
    await writeFile(path.join(dir, 'tasks/a/task.yaml'), task('a', 'data_builder: nope/one'));
    await writeFile(path.join(dir, 'tasks/b/task.yaml'), task('b', 'data_builder: nope/two'));
    await writeFile(
      path.join(dir, 'tasks/c/task.yaml'),
      task('c', 'data_builder: geography_qa\nformatter:\n  type: formatters/nowhere'),
    );
    const result = await runCli(['validate', 'tasks', '--json'], { cwd: dir });
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as { errors: { code: string; message: string }[] };
    expect(report.errors.map((e) => e.code).sort()).toEqual([
      'UNKNOWN_BUILDER',
      'UNKNOWN_BUILDER',
      'UNKNOWN_FORMATTER',
    ]);
    expect(report.errors.map((e) => e.message).join('\n')).toMatch(
      /tasks\/c\/task\.yaml:5: unknown formatter "formatters\/nowhere"/,
    );

    const run = await runCli(['run', '--task-paths', 'tasks', '--engine', 'mock'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('3 problems:');
    for (const id of ['"nope/one"', '"nope/two"', '"formatters/nowhere"'])
      expect(run.stderr).toContain(id);
    expect(existsSync(path.join(dir, 'output'))).toBe(false);
  });

  it('needs something to validate', async () => {
    const result = await runCli(['validate'], { cwd: await tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no task to validate');
  });
});

describe('dgt init task', () => {
  it("scaffolds a task whose seeds follow the builder's fields, with a schema modeline, that validates", async () => {
    const dir = await tempDir();
    const created = await runCli(['init', 'task', 'tasks/capitals'], { cwd: dir });
    expect(created.code).toBe(0);
    const file = path.join(dir, 'tasks/capitals/task.yaml');
    const text = await readFile(file, 'utf8');
    expect(text).toContain('task_name: capitals');
    expect(text).toContain('data_builder: geography_qa');
    expect(text).toContain('  - question: What is the capital of Peru?\n    answer: Lima');
    const schema = /\$schema=(\S+)/.exec(text)![1]!;
    expect(existsSync(path.resolve(path.dirname(file), schema))).toBe(true);
    expect((await runCli(['validate', 'tasks/capitals/task.yaml'], { cwd: dir })).code).toBe(0);

    const again = await runCli(['init', 'task', 'tasks/capitals'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
    const rater = await runCli(['init', 'task', 'rate.yaml', '--builder', 'qa_rater'], {
      cwd: dir,
    });
    expect(rater.code).toBe(0);
    expect(await readFile(path.join(dir, 'rate.yaml'), 'utf8')).toContain(
      'data_path: ./data.jsonl',
    );
  });

  it('help comes from the definition tables', async () => {
    for (const command of ['validate', 'list', 'init']) {
      const result = await runCli([command, '--help'], { cwd: REPO });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: dgt ${command}`));
      expect(result.stdout).toContain('--help');
    }
    const top = await runCli(['--help'], { cwd: REPO });
    for (const command of ['run', 'validate', 'list', 'init'])
      expect(top.stdout).toContain(`  ${command} `);
  });
});
