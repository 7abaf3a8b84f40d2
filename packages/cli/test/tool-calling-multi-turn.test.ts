import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type FakeLmServer, startFakeOpenAI } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, tempDir } from './run-cli.js';

const TASK = path.join(REPO, 'examples/tool-calling-multi-turn/task.yaml');
const OUT = 'out/examples/tool_calling/multi_turn_travel';

let servers: FakeLmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const weather = (city: string) => ({ name: 'get_weather', arguments: { city } });

/**
 * Per request: the first completion holds one good conversation; the second (n: 2) one good
 * conversation and one calling a tool that does not exist (a first completion breaking the reply
 * schema would be repaired by the LM engine instead). Cities vary by request so no opening repeats.
 */
function scripted(index: number, choice: number): string {
  const good = (tag: string) => ({
    turns: [
      { question: `Weather in ${tag}?`, tool_calls: [weather(tag)] },
      {
        question: `Convert 10 EUR to USD for ${tag}`,
        tool_calls: [
          { name: 'convert_currency', arguments: { amount: 10, from: 'EUR', to: 'USD' } },
        ],
      },
    ],
  });
  const bad = {
    turns: [
      { question: `Book a taxi ${index}`, tool_calls: [{ name: 'book_taxi', arguments: {} }] },
      { question: `Weather at the airport ${index}?`, tool_calls: [weather('Faro')] },
    ],
  };
  return JSON.stringify({
    conversations: choice === 0 ? [good(`A${index}`)] : [good(`B${index}`), bad],
  });
}

describe('tool_calling/multi_turn/stateless', () => {
  it('reads every completion, keeps valid conversations, stores the others with the reason, formats {messages, tools}', async () => {
    const server = await startFakeOpenAI({ reply: (req) => scripted(req.index, req.choice) });
    servers.push(server);
    const dir = await tempDir();
    // Several completions per request, as DiGiT's builder YAML asks (n: 8).
    await writeFile(
      path.join(dir, 'override.yaml'),
      'databuilders:\n  tool_calling/multi_turn/stateless:\n    blocks:\n      - name: generator\n        n: 2\n',
    );
    const result = await runCli(
      [
        'run',
        '--task-paths',
        TASK,
        '--engine',
        'openai',
        '--model',
        'M',
        '--base-url',
        server.baseURL,
        '--config-path',
        'override.yaml',
        '--num-outputs-to-generate',
        '4',
        '--save-formatted-output',
        '--output-dir',
        'out',
      ],
      { cwd: dir, env: { OPENAI_API_KEY: 'sk-test' } },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(server.requests[0]!.body.n).toBe(2);
    // The reply schema comes from the task's tools and its two turns.
    const turns = (server.requests[0]!.schema as any).properties.conversations.items.properties
      .turns;
    expect(turns).toMatchObject({ minItems: 2, maxItems: 2 });
    expect(server.requests[0]!.prompt).toContain('And in Lisbon, in Fahrenheit?');

    const final = await readJsonl(path.join(dir, OUT, 'final_data.jsonl'));
    expect(final).toHaveLength(4);
    // Both completions of a request were read: openings from choice 0 (A) and choice 1 (B).
    const openings = final.map((r) => String(r.question));
    expect(openings.some((q) => q.startsWith('Weather in A'))).toBe(true);
    expect(openings.some((q) => q.startsWith('Weather in B'))).toBe(true);
    expect(final[0]).toMatchObject({
      turns: [
        { tool_calls: [{ name: 'get_weather' }] },
        { tool_calls: [{ name: 'convert_currency' }] },
      ],
      tool_calls: [{ name: 'get_weather' }, { name: 'convert_currency' }],
      messages: [{ role: 'user' }, { role: 'assistant' }, { role: 'user' }, { role: 'assistant' }],
    });

    const rejected = await readJsonl(path.join(dir, OUT, 'blocks/tool_check.jsonl'));
    expect(rejected.length).toBeGreaterThan(0);
    expect(JSON.stringify(rejected[0])).toContain('book_taxi');

    const [formatted] = await readJsonl(path.join(dir, OUT, 'formatted_data.jsonl'));
    expect(Object.keys(formatted!).sort()).toEqual(['messages', 'tools']);
    const assistant = (formatted!.messages as any[])[1];
    expect(assistant.tool_calls[0]).toMatchObject({
      type: 'function',
      function: { name: 'get_weather', arguments: expect.stringContaining('"city"') },
    });
    expect((formatted!.tools as any[]).map((t) => t.function.name)).toContain('create_reminder');
  });
});
