import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

// `.<file>.<pid>.<hex>.tmp`: what an atomic write (writeFileAtomic) leaves when the process
// dies between creating its temporary file and renaming it.
const TEMP_FILE = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/;

/**
 * Removes temporary files of atomic writes that earlier, dead runs left in a task's folder and
 * its `blocks/` folder. Called once this process holds the folder's claim: no other live run
 * writes there, so every such file not made by this process is a leftover. Returns their names.
 */
export async function removeStaleTempFiles(taskDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const folder of [taskDir, path.join(taskDir, 'blocks')]) {
    const names = await readdir(folder).catch(() => [] as string[]);
    for (const name of names) {
      const match = TEMP_FILE.exec(name);
      if (!match || Number(match[1]) === process.pid) continue;
      await rm(path.join(folder, name), { force: true });
      removed.push(path.join(folder, name));
    }
  }
  return removed;
}
