import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, startCli, tempDir } from './run-cli.js';

/** A geography task in `dir` whose seeds come from `dataPath` (with extra datastore keys). */
async function seedTask(dir: string, dataPath: string, extra = ''): Promise<string> {
  const file = path.join(dir, 'task.yaml');
  await writeFile(
    file,
    `task_name: hostile\ndata_builder: public/examples/geography_qa\nseed_datastore:\n  type: default\n  data_path: ${dataPath}\n  data_format: jsonl\n${extra}`,
  );
  return file;
}

async function run(dir: string, task: string) {
  const started = Date.now();
  const result = await runCli(
    [
      'run',
      '--task-paths',
      task,
      '--engine',
      'mock',
      '--output-dir',
      'out',
      '--num-outputs-to-generate',
      '2',
    ],
    { cwd: dir },
  );
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

function noStack(text: string) {
  expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

describe('inputs that are not regular files, or not well-formed, end with a clean exit 2', () => {
  it('refuses a FIFO as input within seconds, naming it', async () => {
    const dir = await tempDir();
    const fifo = path.join(dir, 'seeds.jsonl');
    execFileSync('mkfifo', [fifo]);
    const result = await run(dir, await seedTask(dir, fifo));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${fifo} is a named pipe (FIFO)`);
    expect(result.stderr).toContain('allow_special_files');
    expect(result.seconds).toBeLessThan(15);
    noStack(result.stderr);
  }, 30_000);

  it('refuses /dev/zero as input', async () => {
    const dir = await tempDir();
    const result = await run(dir, await seedTask(dir, '/dev/zero'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('/dev/zero is a device');
    noStack(result.stderr);
  }, 30_000);

  it('ends an allowed /dev/zero read at the line-length limit, naming file and line', async () => {
    const dir = await tempDir();
    const result = await run(
      dir,
      await seedTask(dir, '/dev/zero', '  allow_special_files: true\n'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('/dev/zero:1: line longer than 64 MB');
    noStack(result.stderr);
  }, 60_000);

  it('SIGTERM ends a read blocked on an allowed FIFO nobody writes to', async () => {
    const dir = await tempDir();
    const fifo = path.join(dir, 'seeds.jsonl');
    execFileSync('mkfifo', [fifo]);
    const task = await seedTask(dir, fifo, '  allow_special_files: true\n');
    const { child, done } = startCli(
      ['run', '--task-paths', task, '--engine', 'mock', '--output-dir', 'out'],
      { cwd: dir },
    );
    // Give the run time to reach the read, then ask it to stop.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const sent = Date.now();
    child.kill('SIGTERM');
    const result = await done;
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(`Reading ${fifo} was interrupted`);
    noStack(result.stderr);
  }, 30_000);

  it("reports a torn last line of the user's input instead of dropping it", async () => {
    const dir = await tempDir();
    await writeFile(
      path.join(dir, 'seeds.jsonl'),
      '{"question":"Capital of France?","answer":"Paris"}\n{"question":"Capital of Ital',
    );
    const result = await run(dir, await seedTask(dir, 'seeds.jsonl'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('seeds.jsonl:2: the last line is incomplete');
    noStack(result.stderr);
    // By option the torn line is skipped instead, with a warning naming file and line.
    const skipped = await run(dir, await seedTask(dir, 'seeds.jsonl', '  torn_last_line: skip\n'));
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stderr).toMatch(
      /warning: .*seeds\.jsonl:2: skipped the incomplete last line .*torn_last_line: skip/,
    );
  }, 60_000);

  it('warns with file and line when torn_last_line: skip drops the last line of input data', async () => {
    // A transformation's input, read while the run goes (seeds are read before it starts).
    const dir = await tempDir();
    const example = path.join(REPO, 'examples/dedup-pipeline');
    const lines = (await readFile(path.join(example, 'data.jsonl'), 'utf8')).split('\n');
    await writeFile(
      path.join(dir, 'data.jsonl'),
      `${lines.slice(0, 3).join('\n')}\n{"id":99,"text":"cut o`,
    );
    const task = (await readFile(path.join(example, 'task.yaml'), 'utf8')).replace(
      'data_path: data.jsonl',
      'data_path: data.jsonl\n  torn_last_line: skip',
    );
    await writeFile(path.join(dir, 'task.yaml'), task);
    const result = await runCli(
      [
        'run',
        '--task-paths',
        'task.yaml',
        '--config-path',
        path.join(example, 'override.yaml'),
        '--output-dir',
        'out',
      ],
      { cwd: dir },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `warning: dedup_pipeline_example: ${path.join(dir, 'data.jsonl')}:4: skipped the incomplete last line`,
    );
    const logs = await readFile(path.join(dir, 'out/dedup_pipeline_example/logs.jsonl'), 'utf8');
    expect(logs).toContain('data.jsonl:4: skipped the incomplete last line');
  }, 60_000);

  it('reports invalid UTF-8 in an input with file and line', async () => {
    const dir = await tempDir();
    await writeFile(
      path.join(dir, 'seeds.jsonl'),
      Buffer.concat([
        Buffer.from('{"question":"Capital of France?","answer":"Paris"}\n{"question":"Caf'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('?","answer":"x"}\n'),
      ]),
    );
    const result = await run(dir, await seedTask(dir, 'seeds.jsonl'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('seeds.jsonl:2: not valid UTF-8');
    noStack(result.stderr);
  }, 30_000);
});
