import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startFakeOpenAI } from '@dgt/testing';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from './run-cli.js';

async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('secrets', () => {
  it('an API key never reaches output files, logs, task cards, events or the terminal', async () => {
    const key = 'sk-dgt-test-4f1c9a7e2b5d8c3a6e0f1b2c';
    const server = await startFakeOpenAI({
      // Some requests fail, so error paths are written too.
      faults: (_req, index) => (index % 5 === 0 ? { status: 500 } : undefined),
    });
    try {
      const dir = await tempDir();
      await writeFile(
        path.join(dir, 'override.yaml'),
        `databuilders:\n  public/examples/geography_qa:\n    blocks:\n      - name: generator\n        type: openai\n        model_id_or_path: m\n        base_url: ${server.baseURL}\n        api_key: \${MY_KEY}\n        max_retries: 0\n`,
      );
      const args = [
        'run',
        '--task-paths',
        path.join(REPO, 'examples/geography-qa/task.yaml'),
        '--config-path',
        'override.yaml',
        '--num-outputs-to-generate',
        '12',
        '--output-dir',
        'out',
      ];
      const env = { MY_KEY: key, OPENAI_API_KEY: key };
      const plain = await runCli(args, { cwd: dir, env });
      const json = await runCli([...args, '--json', '--restart'], { cwd: dir, env });
      expect(plain.code).toBe(0);
      expect(json.code).toBe(0);
      // The key was really used: the server saw it.
      expect(server.requests.length).toBeGreaterThan(0);
      const written = await filesBelow(path.join(dir, 'out'));
      expect(written.some((f) => f.endsWith('task_card.jsonl'))).toBe(true);
      for (const file of written) expect(await readFile(file, 'utf8'), file).not.toContain(key);
      for (const text of [plain.stdout, plain.stderr, json.stdout, json.stderr])
        expect(text).not.toContain(key);
      const card = await readFile(
        path.join(dir, 'out/examples/geography_qa/task_card.jsonl'),
        'utf8',
      );
      expect(card).toContain('"api_key":"***"');
    } finally {
      await server.close();
    }
  });

  it('a password in a base URL is sent as a header and leaves no trace in files or console', async () => {
    const password = 'pa55word-Zq7';
    const server = await startFakeOpenAI({
      // Some requests fail, so error paths (logs, reasons) are written too.
      faults: (_req, index) => (index % 4 === 1 ? { status: 500 } : undefined),
    });
    try {
      const dir = await tempDir();
      const url = server.baseURL.replace('http://', `http://alice:${password}@`);
      const args = [
        'run',
        '--task-paths',
        path.join(REPO, 'examples/geography-qa/task.yaml'),
        '--engine',
        'openai',
        '--model',
        'm',
        '--base-url',
        url,
        '--num-outputs-to-generate',
        '6',
        '--output-dir',
        'out',
      ];
      const plain = await runCli(args, { cwd: dir });
      const json = await runCli([...args, '--json', '--restart'], { cwd: dir });
      expect(plain.code, plain.stderr).toBe(0);
      expect(json.code, json.stderr).toBe(0);
      // The credentials reached the server, in the Authorization header.
      const basic = `Basic ${Buffer.from(`alice:${password}`).toString('base64')}`;
      expect(server.requests.some((r) => r.authorization === basic)).toBe(true);
      const written = await filesBelow(path.join(dir, 'out'));
      const card = await readFile(
        path.join(dir, 'out/examples/geography_qa/task_card.jsonl'),
        'utf8',
      );
      expect(card).toContain('http://***@127.0.0.1');
      for (const file of written)
        expect(await readFile(file, 'utf8'), file).not.toContain(password);
      for (const text of [plain.stdout, plain.stderr, json.stdout, json.stderr])
        expect(text).not.toContain(password);
    } finally {
      await server.close();
    }
  });
});
