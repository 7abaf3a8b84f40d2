import { describe, expect, it } from 'vitest';
import { ProgressBoard } from './task-progress.js';

describe('ProgressBoard', () => {
  it('shows an ETA while running, and "stopping" without an ETA once the run is stopping', () => {
    let now = 0;
    const board = new ProgressBoard(() => now);
    board.apply({
      type: 'task-start',
      task: 't',
      builder: 'b',
      kind: 'generation',
      target: 100,
      resumed: 0,
      outputDir: 'out/t',
    });
    now = 10_000;
    const progress = board.apply({ type: 'records', task: 't', added: 50, accepted: 50 })!;
    expect(board.line(progress)).toContain('ETA 10s');
    board.apply({ type: 'run-stopping' });
    const line = board.line(progress);
    expect(line).toContain('stopping');
    expect(line).not.toContain('ETA');
  });
});
