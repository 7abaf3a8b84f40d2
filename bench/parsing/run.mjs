#!/usr/bin/env node
// Requests per record with plain replies vs replies dressed as chat models write them (JSON after
// a sentence or in a fence, `**Question:**`, `Q:`/`A:`, `### Question`, numbered items), for the
// shipped geography, simple and knowledge examples with their own settings. A tolerant reply
// parser reads every dress without a repair request, so the two should be equal within 5 %.
//   node bench/parsing/run.mjs    (after a build; uses the current dist/ folders)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { startFakeOpenAI } = await import(join(root, 'packages/testing/dist/index.js'));
const cli = join(root, 'packages/cli/dist/bin.js');

const EXAMPLES = [
  { name: 'geography', task: 'examples/geography-qa/task.yaml' },
  { name: 'simple', task: 'examples/simple-skills/task.yaml' },
  { name: 'knowledge', task: 'examples/knowledge-qa/task.yaml' },
];

function run(args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DGT_CACHE_DIR: join(cwd, '.cache') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Accepted records over every task of a run, from their task_results.jsonl files. */
function accepted(dir, taskFile) {
  const text = readFileSync(join(root, taskFile), 'utf8');
  const names = [...text.matchAll(/^task_name:\s*(\S+)/gm)].map((m) => m[1]);
  let total = 0;
  for (const name of names) {
    const lines = readFileSync(join(dir, 'out', name, 'task_results.jsonl'), 'utf8')
      .trim()
      .split('\n');
    total += JSON.parse(lines.at(-1)).accepted;
  }
  return total;
}

async function measure(example, replyStyle) {
  const server = await startFakeOpenAI({ replyStyle });
  const dir = mkdtempSync(join(tmpdir(), 'dgt-bench-parsing-'));
  try {
    const args = [
      'run',
      '--task-paths',
      join(root, example.task),
      '--engine',
      'openai',
      '--model',
      'm',
    ];
    args.push('--base-url', server.baseURL, '--output-dir', 'out', '--no-cache');
    const { code, stderr } = await run(args, dir);
    if (code !== 0) throw new Error(`${example.name} (${replyStyle}) exited ${code}: ${stderr}`);
    const records = accepted(dir, example.task);
    return { requests: server.stats.requests, records, perRecord: server.stats.requests / records };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows = [];
for (const example of EXAMPLES) {
  const plain = await measure(example, 'plain');
  const chat = await measure(example, 'chat');
  const ratio = chat.perRecord / plain.perRecord;
  rows.push({ example: example.name, plain, chat, ratio });
  console.log(
    `${example.name}: plain ${plain.perRecord.toFixed(2)} req/record (${plain.requests}/${plain.records}), chat ${chat.perRecord.toFixed(2)} (${chat.requests}/${chat.records}), ratio ${ratio.toFixed(3)}`,
  );
}

const table = [
  '| example | plain: requests / records | chat-styled: requests / records | chat ÷ plain | within 5 % |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.example} | ${r.plain.requests} / ${r.plain.records} = ${r.plain.perRecord.toFixed(2)} | ${r.chat.requests} / ${r.chat.records} = ${r.chat.perRecord.toFixed(2)} | ${r.ratio.toFixed(3)} | ${Math.abs(r.ratio - 1) <= 0.05 ? 'yes' : 'no'} |`,
  ),
];
writeFileSync(
  join(here, 'RESULTS.md'),
  `# Reply parsing: requests per record, plain vs chat-styled replies

Measured ${new Date().toISOString().slice(0, 10)} with \`node bench/parsing/run.mjs\` (the examples' own settings, the fake
OpenAI server of \`@dgt/testing\`, \`--no-cache\`). "Chat-styled" is the server's \`replyStyle: 'chat'\`:
each JSON reply comes, in turn by request, after "Here is the JSON:", in a \`\`\`json fence, or
(when its fields are text) as \`**Question:**\` lines, \`Q:\`/\`A:\`, \`### Question\` headings or
numbered items. Target: chat ÷ plain within 5 % (no repair request for a reply that can be read).

${table.join('\n')}
`,
);
if (rows.some((r) => Math.abs(r.ratio - 1) > 0.05)) process.exitCode = 1;
