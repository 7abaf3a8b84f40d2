import type { TaskSummary } from '@dgt/core';
import { describe, expect, it } from 'vitest';
import { summaryTable } from './summary-table.js';
import { formatCost, ProgressBoard, progressBar } from './task-progress.js';

const task = (over: Partial<TaskSummary>): TaskSummary => ({
  task: 'qa',
  builder: 'geography_qa',
  status: 'completed',
  accepted: 20,
  target: 20,
  rejected: {},
  attempts: 3,
  lmRequests: 30,
  lmFailures: 0,
  cacheHits: 0,
  promptTokens: 1000,
  completionTokens: 234,
  costUsd: 0,
  outputDir: '/work/out/qa',
  durationMs: 65_000,
  ...over,
});

describe('summaryTable', () => {
  it('shows real LM calls (requests minus cache hits), rejections per block, cost, time and files', () => {
    const table = summaryTable(
      [
        task({
          rejected: { dedup: 4, length: 1 },
          cacheHits: 12,
          costUsd: 0.0421,
          finalData: '/work/out/qa/final_data.jsonl',
        }),
        task({
          task: 'rate',
          status: 'stalled',
          reason: 'no progress in 5 attempts',
          target: 10,
          accepted: 3,
          outputDir: '/work/out/rate',
        }),
      ],
      '/work',
    );
    const lines = table.split('\n');
    expect(lines[0]).toMatch(
      /^task\s+status\s+accepted\s+rejected\s+LM calls\s+cached\s+failed\s+tokens\s+cost\s+time$/,
    );
    expect(lines[2]).toMatch(
      /^qa\s+completed\s+20\/20\s+dedup:4 length:1\s+18\s+12\s+0\s+1,234\s+\$0\.04\s+1m05s$/,
    );
    expect(lines[3]).toMatch(/^rate\s+stalled\s+3\/10\s+0\s+30\s+0\s+0\s+1,234\s+\$0\s+1m05s$/);
    expect(lines[4]).toMatch(/^total\s+incomplete\s+23\s+dedup:4 length:1\s+48\s+12/);
    expect(table).toContain('  qa: out/qa/final_data.jsonl');
    expect(table).toContain('  rate: out/rate/data.jsonl  (no progress in 5 attempts)');
  });

  it('names the final file the final datastore wrote, whatever its format', () => {
    const table = summaryTable(
      [
        task({ finalData: '/work/out/qa/final_data.parquet' }),
        task({ task: 'elsewhere', finalData: '/data/qa.jsonl' }),
      ],
      '/work',
    );
    expect(table).toContain('  qa: out/qa/final_data.parquet');
    expect(table).toContain('  elsewhere: /data/qa.jsonl');
  });
});

describe('progress line', () => {
  it('folds events into accepted/target, rejected, rate, tokens, cost, cache hits and ETA', () => {
    let now = 0;
    const board = new ProgressBoard(() => now);
    board.apply({
      type: 'task-start',
      task: 'qa',
      builder: 'b',
      kind: 'generation',
      target: 10,
      resumed: 0,
      outputDir: 'o',
    });
    now = 2000;
    for (const cached of [false, false, true, false])
      board.apply({
        type: 'lm-request',
        block: 'generator',
        provider: 'openai',
        model: 'm',
        task: 'qa',
        ok: true,
        cached,
        promptTokens: 100,
        completionTokens: 50,
        durationMs: 5,
        retries: 0,
        costUsd: 0.001,
      });
    board.apply({
      type: 'block',
      block: 'dedup',
      blockType: 'exact_dedup',
      task: 'qa',
      passed: 4,
      rejected: 2,
    });
    board.apply({ type: 'records', task: 'qa', added: 4, accepted: 4, target: 10 });
    const progress = board.tasks.get('qa')!;
    expect(progress.rejectedBy).toEqual({ dedup: 2 });
    expect(board.line(progress)).toBe(
      'qa  4/10  rejected 2  2.0 req/s  600 tokens  $0.0040  1 cached  ETA 3s',
    );
    expect(progressBar(4, 10, 10)).toBe('[####......]');
    expect(formatCost(12.5)).toBe('$12.50');
  });
});
