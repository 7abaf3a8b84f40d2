import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDgtError } from '../errors/dgt-error.js';
import { findLocalBuilders } from './local-builders.js';

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'dgt-local-builders-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function tree(files: Record<string, string>, name = 'tree'): Promise<string> {
  const dir = path.join(root, `${++counter}-${name}`);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  return dir;
}

const BUILDER_CODE = `export default {
  specificationVersion: 'v1',
  kind: 'generation',
  name: 'from-code',
  config: 'the code default',
  call: async () => [],
};
`;

describe('findLocalBuilders', () => {
  it('finds every builder YAML with code beside it, however deep', async () => {
    const dir = await tree({
      'a/a.yaml': 'name: local/a\nblocks: []\n',
      'a/index.mjs': BUILDER_CODE,
      'deep/er/b/b.yml': 'name: local/b\nblocks:\n  - name: gen\n    type: x\n',
      'deep/er/b/generate.js': BUILDER_CODE,
    });

    const found = await findLocalBuilders(dir);

    expect(
      found.map(({ id, folder }) => ({ id, folder })).sort((x, y) => x.id.localeCompare(y.id)),
    ).toEqual([
      { id: 'local/a', folder: path.join(dir, 'a') },
      { id: 'local/b', folder: path.join(dir, 'deep', 'er', 'b') },
    ]);
  });

  it("loads the module's default export with config replaced by the YAML path", async () => {
    const dir = await tree({
      'qa.yaml': 'name: local/qa\nblocks: []\n',
      'builder.mjs': BUILDER_CODE,
    });

    const [builder] = await findLocalBuilders(dir);
    const loaded = await builder!.load();

    expect(loaded).toMatchObject({
      name: 'from-code',
      kind: 'generation',
      config: path.join(dir, 'qa.yaml'),
    });
  });

  it('skips task files, data files, unparsable YAML and builder YAML without code', async () => {
    const dir = await tree({
      'tasks/task.yaml': 'task_name: t\ndata_builder: local/qa\n',
      'tasks/index.mjs': BUILDER_CODE,
      'data/seed.yaml': '- name: a\n  blocks: []\n',
      'data/index.mjs': BUILDER_CODE,
      'broken/broken.yaml': 'name: [unclosed\nblocks: []\n',
      'broken/index.mjs': BUILDER_CODE,
      'named-only/x.yaml': 'name: local/x\nblocks: not-a-list\n',
      'named-only/index.mjs': BUILDER_CODE,
      'no-code/y.yaml': 'name: local/y\nblocks: []\n',
      'no-code/readme.md': '# nothing to run\n',
      'empty/empty.yaml': '',
      'empty/index.mjs': BUILDER_CODE,
    });

    expect(await findLocalBuilders(dir)).toEqual([]);
  });

  it('skips node_modules inside the folder', async () => {
    const dir = await tree({
      'node_modules/dep/dep.yaml': 'name: dep/builder\nblocks: []\n',
      'node_modules/dep/index.mjs': BUILDER_CODE,
    });

    expect(await findLocalBuilders(dir)).toEqual([]);
  });

  it('finds builders in a folder that itself lies inside node_modules', async () => {
    const dir = await tree({
      'node_modules/some-pkg/builders/qa/qa.yaml': 'name: pkg/qa\nblocks: []\n',
      'node_modules/some-pkg/builders/qa/index.js': BUILDER_CODE,
    });

    const found = await findLocalBuilders(path.join(dir, 'node_modules', 'some-pkg', 'builders'));

    expect(found.map((b) => b.id)).toEqual(['pkg/qa']);
  });

  it('rejects a folder that does not exist, naming it', async () => {
    const missing = path.join(root, 'no-such-folder');
    try {
      await findLocalBuilders(missing);
      expect.unreachable('expected a DgtError');
    } catch (error) {
      expect(isDgtError(error)).toBe(true);
      expect((error as Error).message).toContain(missing);
    }
  });
});
