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

  it('adds LM usage per block, over all tasks, when the run used several LM blocks', () => {
    const usage = (requests: number, cacheHits = 0) => ({
      provider: 'openai',
      model: 'gpt-4o-mini',
      requests,
      cacheHits,
      failures: 0,
      promptTokens: requests * 100,
      completionTokens: requests * 10,
      costUsd: requests * 0.001,
    });
    const table = summaryTable([
      task({ lmUsage: { generator: usage(10, 2), judge: usage(5) } }),
      task({ task: 'other', lmUsage: { generator: usage(4) } }),
    ]);
    expect(table).toMatch(
      /^LM block\s+model\s+LM calls\s+cached\s+failed\s+prompt\s+completion\s+cost$/m,
    );
    expect(table).toMatch(/^generator\s+openai gpt-4o-mini\s+12\s+2\s+0\s+1,400\s+140\s+\$0\.01$/m);
    expect(table).toMatch(/^judge\s+openai gpt-4o-mini\s+5\s+0\s+0\s+500\s+50\s+\$0\.0050$/m);
    // One LM block: the task rows already say it all.
    expect(summaryTable([task({ lmUsage: { generator: usage(3) } })])).not.toContain('LM block');
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
