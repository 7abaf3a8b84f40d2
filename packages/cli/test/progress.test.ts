import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN, REPO, runCli, tempDir } from './run-cli.js';

const exec = promisify(execFile);
const GEOGRAPHY = path.join(REPO, 'examples/geography-qa/task.yaml');
const ARGS = [
  'run',
  '--task-paths',
  GEOGRAPHY,
  '--engine',
  'mock',
  '--output-dir',
  'out',
  '--num-outputs-to-generate',
  '30',
];
const hasScript = existsSync('/usr/bin/script');

/** Runs dgt under a pseudo-terminal (util-linux `script`), returning everything it drew. */
async function inTerminal(cwd: string, env: Record<string, string> = {}): Promise<string> {
  const command = [process.execPath, BIN, ...ARGS].map((a) => `'${a}'`).join(' ');
  const { stdout } = await exec('script', ['-qec', command, '/dev/null'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'xterm', ...env },
  });
  return stdout;
}

describe('progress', () => {
  it.runIf(hasScript)(
    'on a terminal: live per-task lines redrawn in place, then the summary',
    async () => {
      const output = await inTerminal(await tempDir());
      expect(output).toContain('\x1b[2K'); // lines are redrawn in place
      expect(output).toMatch(
        /\[#{20}\] examples\/geography_qa {2}30\/30 {2}rejected \d+ {2}[\d.]+ req\/s {2}[\d,]+ tokens {2}\$0/,
      );
      expect(output).toMatch(/task\s+status\s+accepted\s+rejected\s+LM calls\s+cached/);
      expect(output).toMatch(/examples\/geography_qa\s+completed\s+30\/30/);
      expect(output).toContain('examples/geography_qa: out/examples/geography_qa/final_data.jsonl');
    },
  );

  it.runIf(hasScript)(
    'in CI (CI=true), even on a terminal: plain lines, no cursor movement',
    async () => {
      const output = await inTerminal(await tempDir(), { CI: 'true' });
      expect(output).not.toContain('\x1b[');
      expect(output).toMatch(/^examples\/geography_qa {2}0\/30 {2}rejected 0/m);
    },
  );

  it('not a terminal: a line when a task starts and ends, the summary on stdout', async () => {
    const result = await runCli(ARGS, { cwd: await tempDir() });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^dgt: running 1 task\(s\), outputs in /m);
    expect(result.stderr).toMatch(/^examples\/geography_qa {2}30\/30 .* completed$/m);
    expect(result.stderr).not.toContain('\x1b[');
    expect(result.stdout).toMatch(/LM calls/);
  });
});
