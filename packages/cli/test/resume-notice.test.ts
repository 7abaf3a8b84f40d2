import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from './run-cli.js';

const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const run = (dir: string, target: number, ...extra: string[]) =>
  runCli(
    [
      'run',
      '--task-paths',
      GEOGRAPHY,
      '--engine',
      'mock',
      '--num-outputs-to-generate',
      String(target),
      ...extra,
    ],
    { cwd: dir },
  );

describe('a rerun says what it found on disk', () => {
  it('announces that it resumes, with the records already there', async () => {
    const dir = await tempDir();
    expect((await run(dir, 5)).code).toBe(0);
    const again = await run(dir, 8);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(
      'examples/geography_qa: resuming: 5/8 records from an earlier run are in output/examples/geography_qa. --restart starts afresh.',
    );
    expect(again.stdout).toMatch(/^examples\/geography_qa\s+completed\s+8\/8\s/m);
    expect(again.stdout).toContain('(resumed with 5 records from an earlier run)');
  });

  it('says a finished task is already complete, and generates nothing', async () => {
    const dir = await tempDir();
    expect((await run(dir, 5)).code).toBe(0);
    const again = await run(dir, 5);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(
      'examples/geography_qa: already complete: 5/5 records from an earlier run are in output/examples/geography_qa; nothing to generate.',
    );
    expect(again.stdout).toMatch(/^examples\/geography_qa\s+already complete\s+5\/5\s+0\s+0\s/m);
  });

  it('says nothing of the kind on a first run or with --restart', async () => {
    const dir = await tempDir();
    const first = await run(dir, 3);
    expect(first.stderr).not.toMatch(/resuming|already complete/);
    const restarted = await run(dir, 3, '--restart');
    expect(restarted.stderr).not.toMatch(/resuming|already complete/);
    expect(restarted.stdout).toMatch(/^examples\/geography_qa\s+completed\s/m);
  });
});
