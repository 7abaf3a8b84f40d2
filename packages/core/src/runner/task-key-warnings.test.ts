import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import type { LoadedTask } from '../config/load-tasks.js';
import { runnerConfigSchema } from '../config/task-schema.js';
import { defineBuilder } from '../contracts/define.js';
import { unknownBuilderKeyWarnings, unknownTaskKeyWarnings } from './task-key-warnings.js';

function task(config: Record<string, unknown>): LoadedTask {
  return {
    config: { task_name: 't', data_builder: 'b', ...config } as LoadedTask['config'],
    file: 'task.yaml',
    baseDir: '.',
    where: (p) => `task.yaml:${p.join('.')}`,
  };
}

const builder = (taskSchema?: z.ZodType<Record<string, unknown>>) =>
  defineBuilder({
    kind: 'generation',
    name: 'b',
    config: { name: 'b', blocks: [], postprocessors: [] },
    ...(taskSchema ? { taskSchema } : {}),
    call: async () => [],
  });

const declared = builder(z.looseObject({ num_questions_per_prompt: z.int().optional() }));

describe('unknown task keys', () => {
  it('names the runner key a misspelling meant, at the top level and under runner_config', () => {
    const warnings = unknownTaskKeyWarnings(
      task({
        num_output_to_generate: 5,
        runner_confg: { num_outputs_to_generate: 5 },
        runner_config: { max_stalled_request: 3 },
      }),
      'b',
      declared,
    );
    expect(warnings).toEqual([
      'task.yaml:num_output_to_generate task "t": unknown key "num_output_to_generate" — did you mean "num_outputs_to_generate"? It is ignored.',
      'task.yaml:runner_confg task "t": unknown key "runner_confg" — did you mean "runner_config"? It is ignored.',
      'task.yaml:runner_config.max_stalled_request task "t" runner_config: unknown key "max_stalled_request" — did you mean "max_stalled_requests"? It is ignored.',
    ]);
  });

  it("knows the builder's own keys and says which it reads when a key resembles none", () => {
    const warnings = unknownTaskKeyWarnings(
      task({ num_questions_per_prompt: 2, colour: 'blue' }),
      'b',
      declared,
    );
    expect(warnings).toEqual([
      'task.yaml:colour task "t": unknown key "colour": builder b does not read it (it reads num_questions_per_prompt). It is ignored.',
    ]);
  });

  it('only reports near misses for a builder that declares no task keys (it may read any)', () => {
    const warnings = unknownTaskKeyWarnings(
      task({ colour: 'blue', creatd_by: 'me' }),
      'b',
      builder(),
    );
    expect(warnings).toEqual([
      'task.yaml:creatd_by task "t": unknown key "creatd_by" — did you mean "created_by"? It is ignored.',
    ]);
  });

  it('knows every runner key from the schema, including ones added later', () => {
    const keys = Object.fromEntries(Object.keys(runnerConfigSchema.shape).map((k) => [k, 1]));
    expect(unknownTaskKeyWarnings(task({ ...keys, runner_config: keys }), 'b', declared)).toEqual(
      [],
    );
  });

  it('flags an unknown key of a builder override, with the keys a builder YAML has', () => {
    const warnings = unknownBuilderKeyWarnings(
      'b',
      { block: [], max_workers: 2 },
      (p) => `o.yaml:${p.join('.')}`,
    );
    expect(warnings).toEqual([
      'o.yaml:block builder b: unknown key "block" — did you mean "blocks"? It is ignored.',
    ]);
  });
});

// DiGiT's task files, when present beside the repository: none of their top-level keys is unknown
// to a builder that does not declare its keys (the keys DiGiT's own builders read). A builder that
// declares its keys gets the DiGiT keys it does not read warned (see the CLI's compat tests).
const COMPAT_TASKS = path.resolve(
  fileURLToPath(new URL('../../../../', import.meta.url)),
  '../shared/compat/fms-dgt/tasks',
);
function taskFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? taskFiles(full) : entry.endsWith('.yaml') ? [full] : [];
  });
}
const compatDir = process.env.DGT_COMPAT_DIR
  ? path.join(process.env.DGT_COMPAT_DIR, 'tasks')
  : COMPAT_TASKS;
let compatFiles: string[] = [];
try {
  compatFiles = taskFiles(compatDir);
} catch {
  // Absent on a developer machine; the CLI's compat tests fail in CI when it is missing.
}

describe.runIf(compatFiles.length > 0)("DiGiT's task files", () => {
  it.each(compatFiles.map((file) => [path.relative(compatDir, file), file]))(
    '%s has no unknown key',
    (_name, file) => {
      const config = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      expect(unknownTaskKeyWarnings(task(config), 'b', builder())).toEqual([]);
    },
  );
});
