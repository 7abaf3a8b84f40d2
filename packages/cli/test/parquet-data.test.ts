import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createParquetDatastore, type StoredRecord } from '@dgt/core';
import { describe, expect, it } from 'vitest';
import { readJsonl, runCli, tempDir } from './run-cli.js';

const questions = Array.from({ length: 23 }, (_, i) => ({
  id: i,
  question: `What is question number ${i}?`,
  answer: `Answer ${i}`,
  source: { dataset: 'made-up', split: 'train' },
}));

async function readParquet(file: string): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for await (const record of createParquetDatastore(file, { mustExist: true }).read()) {
    out.push(record);
  }
  return out;
}

describe('a task whose data is a Parquet file', () => {
  it('transforms every row of a .parquet input and writes a .parquet final output', async () => {
    const dir = await tempDir();
    // Several row groups, as a real dataset file has.
    await createParquetDatastore(path.join(dir, 'qa.parquet'), { rowGroupSize: 10 }).write(
      questions,
    );
    await writeFile(
      path.join(dir, 'task.yaml'),
      [
        'task_name: parquet_ratings',
        'task_description: Rate question/answer pairs read from a Parquet file',
        'created_by: DGT tests',
        'data_builder: public/examples/qa_rater',
        'data:',
        '  type: default',
        '  data_path: qa.parquet',
        'final_datastore:',
        '  type: parquet',
        '',
      ].join('\n'),
    );
    const result = await runCli(
      ['run', '--task-paths', 'task.yaml', '--engine', 'mock', '--output-dir', 'out'],
      { cwd: dir },
    );
    expect(result.stderr).not.toContain('    at ');
    expect(result.code).toBe(0);
    // The summary names the file that was written.
    expect(result.stdout + result.stderr).toContain('out/parquet_ratings/final_data.parquet');

    const taskDir = path.join(dir, 'out/parquet_ratings');
    // The working store stays JSON Lines (durable appends); the final output is Parquet.
    const data = await readJsonl(path.join(taskDir, 'data.jsonl'));
    expect(data).toHaveLength(questions.length);
    expect(await readdir(taskDir)).toContain('final_data.parquet');
    const final = await readParquet(path.join(taskDir, 'final_data.parquet'));
    expect(final).toHaveLength(questions.length);
    expect(final.map((r) => r.question)).toEqual(questions.map((q) => q.question));
    expect(final[0]).toMatchObject({ id: 0, source: { dataset: 'made-up', split: 'train' } });
    expect(final.every((r) => typeof r.ratings === 'object' && r.ratings !== null)).toBe(true);
  });
});
