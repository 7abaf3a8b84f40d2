import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './run-cli.js';

async function runTask(text: string, extra: string[] = []) {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'task.yaml'), text);
  return runCli(
    ['run', '--task-paths', 'task.yaml', '--engine', 'mock', '--output-dir', 'out', ...extra],
    { cwd: dir },
  );
}

function expectUserError(result: { code: number | null; stderr: string }) {
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/^dgt: error: /);
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('user errors exit 2 with one clear message', () => {
  it('a YAML syntax error names file:line:col', async () => {
    const result = await runTask(
      'task_name: x\ndata_builder: geography_qa\nseed_examples:\n  - question: [unclosed\n',
    );
    expectUserError(result);
    expect(result.stderr).toMatch(/task\.yaml:\d+:\d+: invalid YAML/);
  });

  it('an unknown builder suggests the nearest one', async () => {
    const result = await runTask(
      'task_name: x\ndata_builder: geografy_qa\nseed_examples: [{question: a, answer: b}]\n',
    );
    expectUserError(result);
    expect(result.stderr).toContain(
      'task.yaml:2: unknown databuilder "geografy_qa". Did you mean "geography_qa"',
    );
  });

  it('a field of the wrong type names the key, the line and the fix', async () => {
    const result = await runTask(
      'task_name: x\ndata_builder: geography_qa\nseed_examples: {question: a}\n',
    );
    expectUserError(result);
    expect(result.stderr).toContain('task.yaml:3: seed_examples: expected a list, found a mapping');
  });

  it('an unknown flag suggests the right one', async () => {
    const result = await runTask('task_name: x\n', ['--num-outputs', '3']);
    expectUserError(result);
    expect(result.stderr).toContain('Did you mean --num-outputs-to-generate?');
  });

  it('an unknown command', async () => {
    const dir = await tempDir();
    const result = await runCli(['fly'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "fly"');
  });
});
