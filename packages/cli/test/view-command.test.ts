import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir } from './run-cli.js';

/** Starts `dgt view`, waits for its URL line, stops it; returns what it printed. */
async function viewOnce(args: string[], cwd: string) {
  const { child, done } = startCli(['view', ...args, '--no-open'], { cwd });
  let out = '';
  await new Promise<void>((resolve) => {
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve();
    });
    void done.then(() => resolve());
  });
  child.kill('SIGINT');
  const result = await done;
  return { ...result, stdout: out };
}

describe('dgt view', () => {
  it('prints exactly one line, the URL, and stops cleanly on Ctrl-C', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'output'));
    const result = await viewOnce([], dir);
    expect(result.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=\S+\n$/);
    expect(result.code).toBe(0);
  });

  it('warns when --host makes it reachable from other machines', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'out'));
    const result = await viewOnce(['out', '--host', '0.0.0.0'], dir);
    expect(result.stderr).toContain('warning: listening on 0.0.0.0');
    expect(result.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
  });

  it('names a missing output folder without a stack trace', async () => {
    const dir = await tempDir();
    const result = await runCli(['view', 'nowhere', '--no-open'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path.join(dir, 'nowhere')} is not a folder`);
    expect(result.stderr).not.toContain('    at ');
  });
});
