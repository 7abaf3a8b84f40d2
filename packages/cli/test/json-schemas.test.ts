import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { readYamlSource } from '@dgt/core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { jsonSchemaFiles } from '../src/json-schemas.js';
import { REPO } from './run-cli.js';

const SHIPPED = ['packages/core/schemas', 'packages/cli/schemas'];
const WITH_MODELINE = [
  'examples/geography-qa/task.yaml',
  'examples/qa-rater/task.yaml',
  'examples/acme-plugin/examples/task.yaml',
];

/** YAML files in `<sub>` of each folder of `<parent>` (sub may be empty). */
async function yamlFiles(parent: string, sub: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(path.join(REPO, parent), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(REPO, parent, entry.name, sub);
    const files = await readdir(dir).catch(() => [] as string[]);
    found.push(...files.filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(dir, f)));
  }
  return found;
}

async function schema(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path.join(REPO, 'packages/core/schemas', file), 'utf8'));
}

async function validator(file: string) {
  return new Ajv2020({ strict: false, allErrors: true }).compile(await schema(file));
}

/** The `$schema=` path of a file's yaml-language-server modeline, resolved, if it has one. */
async function modeline(file: string): Promise<string | undefined> {
  const match = /^# yaml-language-server: \$schema=(\S+)/m.exec(await readFile(file, 'utf8'));
  return match ? path.resolve(path.dirname(file), match[1]!) : undefined;
}

describe('JSON Schemas of task and builder files', () => {
  it('the shipped files are up to date with the zod schemas (regenerate: pnpm --filter @dgt/cli schemas)', async () => {
    const expected = jsonSchemaFiles();
    for (const dir of SHIPPED) {
      for (const [file, text] of Object.entries(expected)) {
        const shipped = JSON.parse(await readFile(path.join(REPO, dir, file), 'utf8'));
        expect(shipped, `${dir}/${file}`).toEqual(JSON.parse(text));
      }
    }
  });

  it('every example task validates against the task schema, and its modeline points at it', async () => {
    const validate = await validator('task.schema.json');
    const tasks = [
      ...(await yamlFiles('examples', '')).filter((f) => path.basename(f) === 'task.yaml'),
      ...(await yamlFiles('examples', 'examples')),
    ];
    expect(tasks.length).toBeGreaterThanOrEqual(3);
    for (const file of tasks) {
      const { data } = await readYamlSource(file);
      expect(validate(data), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
      const target = await modeline(file);
      if (WITH_MODELINE.some((name) => file.endsWith(name)))
        expect(target, `${file} has a yaml-language-server modeline`).toBeDefined();
      // In the repository the plugin's node_modules link to the workspace packages.
      if (target) expect(await readFile(target, 'utf8'), file).toContain('"DGT task file"');
    }
  });

  it('the builder YAMLs validate against the builder schema', async () => {
    const validate = await validator('builder.schema.json');
    const builders = [
      ...(await yamlFiles('packages/builders/assets', '')),
      ...(await yamlFiles('examples', 'assets')),
    ];
    expect(builders.length).toBeGreaterThanOrEqual(3);
    for (const file of builders) {
      const { data } = await readYamlSource(file);
      expect(validate(data), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(validate({ name: 'x', blocks: [{ name: 'generator' }] })).toBe(false);
  });

  it('flags what dgt validate rejects: a negative target and seeds that are not a list', async () => {
    const validate = await validator('task.schema.json');
    const ok = validate({
      task_name: 'bad',
      data_builder: 'geography_qa',
      runner_config: { num_outputs_to_generate: -5 },
      seed_examples: { question: 'a' },
    });
    expect(ok).toBe(false);
    const paths = validate.errors!.map((e) => e.instancePath);
    expect(paths).toContain('/runner_config/num_outputs_to_generate');
    expect(paths).toContain('/seed_examples');
  });
});
