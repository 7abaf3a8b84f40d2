import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { DgtError } from '../errors/dgt-error.js';

/** The file in a task's output folder that says which process is writing it. */
export const CLAIM_FILE = '.dgt-run.lock';

type Holder = { pid: number; host: string; since: string };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(file: string): Promise<Holder | undefined> {
  try {
    const holder = JSON.parse(await readFile(file, 'utf8')) as Partial<Holder>;
    if (typeof holder.pid === 'number' && typeof holder.host === 'string') {
      return { pid: holder.pid, host: holder.host, since: String(holder.since ?? '?') };
    }
  } catch {
    // Missing, half-written or not ours: treated as no holder.
  }
  return undefined;
}

/**
 * Claims a task's output folder for this process, so two runs never append to one `data.jsonl`
 * (their records would interleave and repeat, and a `--restart` would wipe the other's work).
 * The claim is a small file naming the process; a claim left by a process that no longer runs
 * on this machine (a run killed with SIGKILL) is taken over, so resuming after a crash works.
 * Returns the function that gives the claim up.
 *
 * @throws DgtError `OUTPUT_IN_USE` when a live process (on this machine, or on another one
 *   sharing the folder) holds the claim.
 */
export async function claimTaskDir(
  taskDir: string,
  taskName: string,
): Promise<() => Promise<void>> {
  await mkdir(taskDir, { recursive: true });
  const file = path.join(taskDir, CLAIM_FILE);
  const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let tries = 0; ; tries++) {
    try {
      await writeFile(file, JSON.stringify(me), { flag: 'wx' });
      return async () => {
        // Give up only our own claim (a user may have deleted it and another run taken it).
        const holder = await readHolder(file);
        if (holder?.pid === me.pid && holder.host === me.host) await unlink(file).catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || tries >= 3) throw error;
    }
    const holder = await readHolder(file);
    if (holder && holder.host !== me.host) {
      throw new DgtError(
        'OUTPUT_IN_USE',
        `task "${taskName}": its output folder ${taskDir} is claimed by a dgt run on ${holder.host} (pid ${holder.pid}, since ${holder.since}). Wait for that run to finish or give this one another --output-dir; if no run uses the folder any more, delete ${file}.`,
      );
    }
    if (holder && holder.pid !== me.pid && alive(holder.pid)) {
      throw new DgtError(
        'OUTPUT_IN_USE',
        `task "${taskName}": another dgt run (pid ${holder.pid}, since ${holder.since}) is writing its output folder ${taskDir}. Wait for it to finish, stop it, or give this run another --output-dir (if process ${holder.pid} is not a dgt run, delete ${file}).`,
      );
    }
    // Left behind by a run that is gone (or unreadable): take it over.
    await unlink(file).catch(() => {});
  }
}

/**
 * Whether a live dgt run holds a task's output folder (what `dgt view` shows as `running`). A
 * claim from another machine counts as live: it cannot be checked from here.
 */
export async function isTaskDirClaimed(taskDir: string): Promise<boolean> {
  const holder = await readHolder(path.join(taskDir, CLAIM_FILE));
  if (!holder) return false;
  return holder.host !== hostname() || alive(holder.pid);
}
