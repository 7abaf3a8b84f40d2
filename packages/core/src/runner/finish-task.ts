import type { StoredRecord } from '../contracts/v1/datastore.js';
import type { Formatter } from '../contracts/v1/formatter.js';
import type { StoreOpener, TaskRun } from './task-run.js';

/**
 * Writes a task's final outputs: `final_data.jsonl` (exactly the target count for a completed
 * generation task; every record for a transformation), `formatted_data.jsonl` when asked, and a
 * line in `task_results.jsonl`. Each file is replaced atomically, so a kill here leaves either
 * the old file or the new one, and a rerun writes it again.
 */
export async function finishTask(
  task: TaskRun,
  openStore: StoreOpener,
  formatter: Formatter | undefined,
): Promise<void> {
  const config = task.task.config;
  const name = task.settings.storeName;
  const limit = task.kind === 'generation' ? task.settings.target : Number.POSITIVE_INFINITY;
  const finalStore = await openStore(
    config.final_datastore ?? config.datastore,
    `${name}/final_data`,
  );
  await finalStore.write(take(task.readData(), limit));
  await finalStore.close();
  task.setFinalData(finalStore.location);

  if (task.settings.saveFormattedOutput && formatter) {
    const formattedStore = await openStore(
      config.formatted_datastore ?? config.datastore,
      `${name}/formatted_data`,
    );
    await formattedStore.write(
      map(take(task.readData(), limit), (record) => formatter.apply(record)),
    );
    await formattedStore.close();
  }

  const results = await openStore(config.datastore, `${name}/task_results`);
  await results.append([task.resultLine()]);
  await results.close();
}

async function* take(
  records: AsyncIterable<StoredRecord>,
  limit: number,
): AsyncIterable<StoredRecord> {
  if (limit <= 0) return;
  let count = 0;
  for await (const record of records) {
    yield record;
    if (++count >= limit) return;
  }
}

async function* map(
  records: AsyncIterable<StoredRecord>,
  fn: (record: StoredRecord) => StoredRecord,
): AsyncIterable<StoredRecord> {
  for await (const record of records) yield fn(record);
}
