import { TaskFolder } from './task-folder.js';
import { findTaskFolders, folderInside } from './task-scan.js';

const RESCAN_MS = 1000;

/**
 * The task folders under an output folder, found again at most once a second (a run may add
 * tasks while the viewer is open). Folder objects are kept across scans, so their line indexes
 * are only extended, never rebuilt.
 */
export class TaskRegistry {
  private folders = new Map<string, TaskFolder>();
  private scanned = 0;
  private scanning: Promise<void> | undefined;

  constructor(readonly root: string) {}

  private async rescan(): Promise<void> {
    const names = await findTaskFolders(this.root);
    const next = new Map<string, TaskFolder>();
    for (const name of names) {
      const dir = folderInside(this.root, name);
      if (dir) next.set(name, this.folders.get(name) ?? new TaskFolder(name, dir));
    }
    this.folders = next;
    this.scanned = Date.now();
  }

  async list(): Promise<TaskFolder[]> {
    if (Date.now() - this.scanned > RESCAN_MS) {
      this.scanning ??= this.rescan().finally(() => {
        this.scanning = undefined;
      });
      await this.scanning;
    }
    return [...this.folders.values()];
  }

  /** The folder of a store name, only if it is one of the task folders found under the root. */
  async get(name: string): Promise<TaskFolder | undefined> {
    if (!folderInside(this.root, name)) return undefined;
    await this.list();
    if (!this.folders.has(name)) {
      await this.rescan();
    }
    return this.folders.get(name);
  }

  close(): void {
    this.folders.clear();
  }
}
