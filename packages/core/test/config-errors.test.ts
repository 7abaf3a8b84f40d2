import { describe, expect, it } from 'vitest';
import { type DgtError, isDgtError, runTasks } from '../src/index.js';
import { tempProject, testRegistry } from './fixtures.js';

async function failure(
  files: Record<string, string>,
  taskPaths = ['task.yaml'],
  configPath?: string,
): Promise<DgtError> {
  const project = await tempProject();
  for (const [name, text] of Object.entries(files)) await project.write(name, text);
  const { registry } = await testRegistry(project.dir);
  const error = await runTasks({
    taskPaths,
    ...(configPath ? { configPath } : {}),
    cwd: project.dir,
    env: {},
    registry,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDgtError(error)) throw new Error(`expected a DgtError, got ${String(error)}`);
  return error;
}

describe('configuration errors name the place and the fix', () => {
  it('YAML syntax error: file and line', async () => {
    const error = await failure({
      'task.yaml':
        'task_name: x\ndata_builder: test/questions\nseed_examples:\n  - question: "open\n',
    });
    expect(error.code).toBe('YAML_SYNTAX');
    expect(error.message).toMatch(/task\.yaml:\d+:\d+: invalid YAML/);
  });

  it('unknown builder: suggests the nearest names', async () => {
    const error = await failure({
      'task.yaml': 'task_name: x\ndata_builder: test/question\nseed_examples: [{question: a}]\n',
    });
    expect(error.code).toBe('UNKNOWN_BUILDER');
    expect(error.message).toContain('task.yaml:2');
    expect(error.message).toContain('Did you mean "test/questions"');
  });

  it('wrong field type: the key, its line, and what was found', async () => {
    const error = await failure({
      'task.yaml':
        'task_name: x\ndata_builder: test/questions\nseed_examples: [{question: a}]\nrunner_config:\n  num_outputs_to_generate: ten\n',
    });
    expect(error.code).toBe('INVALID_TASK');
    expect(error.message).toContain(
      'task.yaml:5: runner_config.num_outputs_to_generate: expected a number, found the text "ten"',
    );
  });

  it('a missing required key names the key to add', async () => {
    const error = await failure({ 'task.yaml': 'task_name: x\nseed_examples: [{question: a}]\n' });
    expect(error.message).toMatch(/data_builder: missing required key/);
  });

  it('seeds that do not fit the builder name the seed and the fields it expects', async () => {
    const error = await failure({
      'task.yaml': 'task_name: x\ndata_builder: test/questions\nseed_examples:\n  - answer: a\n',
    });
    expect(error.message).toContain('task.yaml:4: seed example 1');
  });

  it('duplicate task names name both files', async () => {
    const task = 'task_name: same\ndata_builder: test/questions\nseed_examples: [{question: a}]\n';
    const error = await failure({ 'a/task.yaml': task, 'b/task.yaml': task }, ['.']);
    expect(error.code).toBe('DUPLICATE_TASK');
    expect(error.message).toMatch(/a\/task\.yaml:1 and .*b\/task\.yaml:1/);
  });

  it('an unset ${VAR} names the variable', async () => {
    const error = await failure({
      'task.yaml':
        'task_name: x\ndata_builder: test/questions\nseed_datastore:\n  data_path: ${NOPE}/s.jsonl\n',
    });
    expect(error.code).toBe('MISSING_ENV');
    expect(error.message).toContain('NOPE');
  });

  it('an unknown block type in an override names the override file', async () => {
    const error = await failure(
      {
        'task.yaml': 'task_name: x\ndata_builder: test/questions\nseed_examples: [{question: a}]\n',
        'o.yaml':
          'databuilders:\n  test/questions:\n    blocks:\n      - name: generator\n        type: ecko\n',
      },
      ['task.yaml'],
      'o.yaml',
    );
    expect(error.code).toBe('UNKNOWN_BLOCK_TYPE');
    expect(error.message).toContain('o.yaml:5');
    expect(error.message).toContain('"echo"');
  });

  it('a missing task file', async () => {
    const error = await failure({}, ['nope.yaml']);
    expect(error.code).toBe('TASK_FILE_NOT_FOUND');
  });

  it('an override for a task no file defines names it and the nearest task', async () => {
    const error = await failure(
      {
        'task.yaml':
          'task_name: geography\ndata_builder: test/questions\nseed_examples: [{question: a}]\n',
        'o.yaml': 'tasks:\n  geografy:\n    runner_config:\n      num_outputs_to_generate: 3\n',
      },
      ['task.yaml'],
      'o.yaml',
    );
    expect(error.code).toBe('INVALID_OVERRIDE');
    expect(error.message).toContain('o.yaml:2');
    expect(error.message).toContain('Did you mean "geography"');
  });

  it('an output folder that cannot be written is refused before any LM call', async () => {
    const error = await failure({
      'not-a-folder': 'a file',
      'task.yaml':
        'task_name: x\ndata_builder: test/questions\nseed_examples: [{question: a}]\nrunner_config:\n  output_dir: not-a-folder/out\n',
    });
    expect(error.code).toBe('OUTPUT_PATH');
    expect(error.message).toContain('not-a-folder/out');
    expect(error.message).toContain('--output-dir');
  });
});
