import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDgtError } from '../errors/dgt-error.js';
import { CLAIM_FILE, claimTaskDir } from './task-dir-claim.js';

const folder = () => mkdtemp(path.join(tmpdir(), 'dgt-claim-'));

/** A process that exits at once: its pid is then (very likely) free. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

describe('claimTaskDir', () => {
  it('claims a folder, creating it, and gives the claim up again', async () => {
    const dir = path.join(await folder(), 'out/task');
    const release = await claimTaskDir(dir, 't');
    const holder = JSON.parse(await readFile(path.join(dir, CLAIM_FILE), 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, host: hostname() });
    await release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a folder a live process holds, naming it and what to do', async () => {
    const dir = await folder();
    // The test runner's parent process is alive and is not this process.
    await writeFile(
      path.join(dir, CLAIM_FILE),
      JSON.stringify({ pid: process.ppid, host: hostname(), since: '2026-01-01T00:00:00Z' }),
    );
    const error = await claimTaskDir(dir, 'demo/qa').catch((e) => e);
    expect(isDgtError(error)).toBe(true);
    expect(error.code).toBe('OUTPUT_IN_USE');
    expect(error.message).toContain('task "demo/qa"');
    expect(error.message).toContain(`pid ${process.ppid}`);
    expect(error.message).toContain('--output-dir');
  });

  it('refuses a folder claimed from another machine, saying which file to delete', async () => {
    const dir = await folder();
    await writeFile(
      path.join(dir, CLAIM_FILE),
      JSON.stringify({ pid: 1, host: 'some-other-host', since: 'x' }),
    );
    const error = await claimTaskDir(dir, 't').catch((e) => e);
    expect(error.code).toBe('OUTPUT_IN_USE');
    expect(error.message).toContain('some-other-host');
    expect(error.message).toContain(path.join(dir, CLAIM_FILE));
  });

  it('takes over a claim left by a process that is gone, or a torn claim file', async () => {
    const dir = await folder();
    await writeFile(
      path.join(dir, CLAIM_FILE),
      JSON.stringify({ pid: await deadPid(), host: hostname(), since: 'x' }),
    );
    const release = await claimTaskDir(dir, 't');
    expect(JSON.parse(await readFile(path.join(dir, CLAIM_FILE), 'utf8')).pid).toBe(process.pid);
    await release();

    await writeFile(path.join(dir, CLAIM_FILE), '{"pid": 12');
    await (await claimTaskDir(dir, 't'))();
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves alone a claim that is no longer its own', async () => {
    const dir = await folder();
    const release = await claimTaskDir(dir, 't');
    const other = JSON.stringify({ pid: process.ppid, host: hostname(), since: 'y' });
    await writeFile(path.join(dir, CLAIM_FILE), other);
    await release();
    expect(await readFile(path.join(dir, CLAIM_FILE), 'utf8')).toBe(other);
  });
});
