import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonl, runCli, tempDir } from './run-cli.js';

describe('dgt run --include-builder-paths', () => {
  it('runs a builder from a local folder (builder YAML plus a module beside it)', async () => {
    const dir = await tempDir();
    const folder = path.join(dir, 'my-builders/shout');
    await mkdir(folder, { recursive: true });
    await writeFile(
      path.join(folder, 'shout.yaml'),
      'name: local/shout\nblocks:\n  - name: generator\n    type: mock\n',
    );
    await writeFile(
      path.join(folder, 'index.mjs'),
      `export default {
  specificationVersion: 'v1',
  kind: 'generation',
  name: 'local/shout',
  async call(batch, ctx) {
    const replies = await ctx.blocks.generator(batch.map((item) => ({ task_name: item.task_name, input: 'say ' + item.word })));
    return replies.map((reply, i) => ({ task_name: reply.task_name, word: String(batch[i].word).toUpperCase() + ' ' + ctx.attempt + '.' + i, said: reply.result }));
  },
};
`,
    );
    await writeFile(
      path.join(dir, 'task.yaml'),
      'task_name: shout\ndata_builder: local/shout\nseed_examples:\n  - word: hello\n  - word: world\n',
    );
    const result = await runCli(
      [
        'run',
        '--task-paths',
        'task.yaml',
        '--include-builder-paths',
        'my-builders',
        '--num-outputs-to-generate',
        '4',
        '--output-dir',
        'out',
        '--build-id',
        'b1',
      ],
      { cwd: dir },
    );
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    const final = await readJsonl(path.join(dir, 'out/shout/final_data.jsonl'));
    expect(final).toHaveLength(4);
    expect(String(final[0]?.word)).toMatch(/^(HELLO|WORLD) /);
    expect(typeof final[0]?.said).toBe('string');
  });
});
