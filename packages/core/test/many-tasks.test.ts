import { describe, expect, it } from 'vitest';
import { defineBuilder, runTasks } from '../src/index.js';
import { tempProject, testRegistry } from './fixtures.js';

const counter = defineBuilder({
  kind: 'generation',
  name: 'test/counter',
  config: { name: 'test/counter', blocks: [] },
  async call(batch, ctx) {
    return batch.map((item, i) => ({ task_name: item.task_name, n: `${ctx.attempt}.${i}` }));
  },
});

describe('many tasks in one run', () => {
  it('routes 50 tasks over 3 builders to their own outputs, each reaching its target', async () => {
    const project = await tempProject();
    const paths: string[] = [];
    for (let i = 0; i < 50; i++) {
      const file = `tasks/t${i}/task.yaml`;
      paths.push(file);
      if (i % 3 === 0) {
        await project.write(
          `tasks/t${i}/in.jsonl`,
          Array.from({ length: i + 1 }, (_, k) => JSON.stringify({ text: `t${i} row ${k}` })).join(
            '\n',
          ) + '\n',
        );
        await project.write(
          file,
          `task_name: many/t${i}\ndata_builder: test/upper\ndata:\n  data_path: in.jsonl\nrunner_config:\n  transform_batch_size: 4\n`,
        );
      } else {
        const builder = i % 3 === 1 ? 'test/questions' : 'test/counter';
        await project.write(
          file,
          `task_name: many/t${i}\ndata_builder: ${builder}\nseed_examples: [{question: q${i}}]\nrunner_config:\n  num_outputs_to_generate: ${(i % 7) + 1}\n`,
        );
      }
    }
    const { registry } = await testRegistry(project.dir, { 'test/counter': counter });
    const result = await runTasks({ taskPaths: ['tasks'], cwd: project.dir, env: {}, registry });
    expect(result.status).toBe('completed');
    expect(result.tasks).toHaveLength(50);
    for (let i = 0; i < 50; i++) {
      const final = await project.jsonl(`output/many/t${i}/final_data.jsonl`);
      expect(final.every((r) => r.task_name === `many/t${i}`)).toBe(true);
      if (i % 3 === 0)
        expect(final.map((r) => r.text)).toEqual(
          Array.from({ length: i + 1 }, (_, k) => `T${i} ROW ${k}`),
        );
      else expect(final).toHaveLength((i % 7) + 1);
    }
  });
});
