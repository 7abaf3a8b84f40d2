import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BIN } from './run-cli.js';

/** A `dgt worker` child process and its stderr so far. */
export type WorkerProcess = {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<number | null>;
};

/**
 * Starts `dgt worker` with stalled jobs detected after 2 s, and resolves once it takes jobs.
 * Every worker of a queue uses the same period: BullMQ lets one stalled-job check run per period
 * on a queue, so a worker with a longer one would hold back the checks of the others.
 */
export function startWorkerProcess(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--stalled-after', '2', ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.includes('taking jobs from')) resolve({ child, stderr: () => stderr, exit });
    });
    void exit.then((code) => reject(new Error(`dgt worker exited ${code}: ${stderr}`)));
  });
}

/** Kills a worker with SIGKILL (if still running) and waits for it to be gone. */
export async function killWorker(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null)
    worker.child.kill('SIGKILL');
  await worker.exit;
}

/** Job ids a worker has started and not finished (nor failed), from its log. */
export function jobsInHand(worker: WorkerProcess): string[] {
  const started = new Set<string>();
  for (const match of worker.stderr().matchAll(/job (\S+) of \S+: (attempt|\d+ outputs|.*failed)/g))
    if (match[2] === 'attempt') started.add(match[1]!);
    else started.delete(match[1]!);
  return [...started];
}

/**
 * Writes `override.yaml` pointing the geography builder's generator at `baseURL`, with no
 * postprocessor: the exact_dedup step would hide a record committed twice.
 */
export async function writeClusterOverride(
  dir: string,
  baseURL: string,
  extra: Record<string, string | number> = {},
): Promise<void> {
  const keys = Object.entries({
    type: 'openai',
    model_id_or_path: 'fake-model',
    base_url: baseURL,
    max_concurrency: 4,
    ...extra,
  })
    .map(([key, value]) => `        ${key}: ${value}\n`)
    .join('');
  await writeFile(
    path.join(dir, 'override.yaml'),
    `databuilders:\n  public/examples/geography_qa:\n    postprocessors: []\n    blocks:\n      - name: generator\n${keys}`,
  );
}

/**
 * The test Redis URL with a logical database of the test file's own. In CI every test file
 * shares one redis-server (`DGT_TEST_REDIS_URL`), and queues are named by builder: without it,
 * the workers of one file would take the jobs of another's coordinator.
 */
export function ownDatabase<T extends { url: string }>(redis: T, db: number): T {
  const url = new URL(redis.url);
  if (url.pathname === '' || url.pathname === '/') url.pathname = `/${db}`;
  return { ...redis, url: url.toString() };
}
