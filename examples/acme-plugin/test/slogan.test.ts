import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverPlugins, runTasks } from '@dgt/core';
import { type FakeLmServer, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { readSlogan } from '../src/builders/slogan.js';

// The package itself: discovery reads its package.json "dgt" field and imports the built dist/,
// exactly as it will in a user's project.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TASK = path.join(ROOT, 'examples/task.yaml');

async function readJsonl(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

let server: FakeLmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(reply: (n: number) => string, target = 8) {
  let n = 0;
  server = await startFakeOpenAI({ reply: () => reply(++n) });
  const out = await mkdtemp(path.join(tmpdir(), 'acme-slogan-'));
  const result = await runTasks({
    taskPaths: [TASK],
    cwd: ROOT,
    env: {},
    registry: await discoverPlugins({ projectRoot: ROOT }),
    engine: { type: 'openai', model: 'fake', baseUrl: server.baseURL, cache: 'off' },
    runner: { numOutputsToGenerate: target, outputDir: out },
  });
  return { result, taskDir: path.join(out, 'acme/slogans') };
}

describe('acme/slogan', () => {
  it('is found through the package.json manifest with its block', async () => {
    const registry = await discoverPlugins({ projectRoot: ROOT });
    expect(registry.find('builders', 'acme/slogan')).toMatchObject({
      packageName: '@acme/dgt-plugin',
      version: '0.1.0',
    });
    expect(registry.find('blocks', 'acme/word_count')?.packageName).toBe('@acme/dgt-plugin');
  });

  it('generates slogans through an OpenAI-compatible server, rejecting the long ones', async () => {
    // Every third reply is far too long: acme/word_count drops it.
    const { result, taskDir } = await run((n) =>
      n % 3 === 0
        ? `{"product": "Product ${n}", "slogan": "${'very '.repeat(20)}long"}`
        : `{"product": "Product ${n}", "slogan": "Slogan number ${n} delivers."}`,
    );
    expect(result.status).toBe('completed');
    expect(result.tasks[0]?.rejected.slogan_length).toBeGreaterThan(0);
    const final = await readJsonl(path.join(taskDir, 'final_data.jsonl'));
    expect(final).toHaveLength(8);
    expect(final[0]).toMatchObject({ task_name: 'acme/slogans', is_seed: false });
    expect(final.every((r) => String(r.slogan).startsWith('Slogan number'))).toBe(true);
    const rejected = await readJsonl(path.join(taskDir, 'blocks/slogan_length.jsonl'));
    expect(rejected.length).toBeGreaterThan(0);
    expect(JSON.stringify(rejected[0])).toContain('more than 12');
    // The task's own key reached the prompt.
    expect(server!.requests[0]?.prompt).toContain('Tone: playful.');
    expect(server!.requests[0]?.prompt).toContain('Just add ground.');
  });

  it('reads a JSON object from a chatty reply and ignores replies without one', () => {
    expect(readSlogan({ result: 'Sure!\n{"product": "Anvil", "slogan": "Drops jaws."}' })).toEqual({
      product: 'Anvil',
      slogan: 'Drops jaws.',
    });
    expect(readSlogan({ result: 'no idea' })).toBeUndefined();
  });
});
