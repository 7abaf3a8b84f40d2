#!/usr/bin/env node
// `dgt view` on a 1,000,000-record task: how long the task page takes to show its first records
// in chromium, cold (the viewer has never read the files) and warm, how long a jump to the last
// record takes, and a text search over all of it. Run after a build:
//   node bench/viewer/run.mjs [--records N]
// Writes bench/viewer/RESULTS.md. Needs Debian's chromium on the PATH.

import { execFileSync, spawn } from 'node:child_process';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { chromium } = createRequire(join(root, 'packages/cli/package.json'))('playwright-core');
const { recordId } = await import(join(root, 'packages/core/dist/index.js'));
const cli = join(root, 'packages/cli/dist/bin.js');
const at = process.argv.indexOf('--records');
const N = at > 0 ? Number(process.argv[at + 1]) : 1_000_000;
const TARGET_MS = 2000;

const work = mkdtempSync(join(tmpdir(), 'dgt-bench-viewer-'));
const taskDir = join(work, 'out', 'bench', 'big_task');
mkdirSync(taskDir, { recursive: true });

const WORDS =
  'river mountain desert canal harbor valley glacier island coast plateau lake forest city border strait delta'.split(
    ' ',
  );
const word = (i, k) => WORDS[(i * 7 + k * 13) % WORDS.length];

/** Writes data.jsonl and provenance.jsonl as a run would: one line each per record. */
async function generate() {
  const data = createWriteStream(join(taskDir, 'data.jsonl'));
  const prov = createWriteStream(join(taskDir, 'provenance.jsonl'));
  const t0 = Date.now();
  for (let i = 0; i < N; i++) {
    const record = {
      task_name: 'bench/big_task',
      is_seed: false,
      question: `Record ${i}: which ${word(i, 1)} lies next to the ${word(i, 2)} of ${word(i, 3)}?`,
      answer: `The ${word(i, 4)} of ${word(i, 5)} (${i % 97})`,
    };
    const entry = {
      id: recordId(record),
      task: 'bench/big_task',
      time: new Date(t0 + i * 5).toISOString(),
      attempt: Math.floor(i / 20) + 1,
      lm_attribution: 'reply',
      lm: [
        {
          kind: 'lm-request',
          block: 'generator',
          provider: 'openai',
          model: 'gpt-4o-mini',
          ok: true,
          cached: false,
          promptTokens: 120,
          completionTokens: 30,
          costUsd: 0.00003,
          durationMs: 200 + (i % 1500),
          retries: 0,
          prompt: [
            {
              role: 'user',
              content: `Write one geography question like these: ${word(i, 6)} ${word(i, 7)}`,
            },
          ],
          response: JSON.stringify({ question: record.question, answer: record.answer }),
        },
      ],
      verdicts: [
        { block: 'judge', type: 'lm_judge', verdict: 'pass', fields: { judge_score: 5 + (i % 6) } },
      ],
      prompt_tokens: 120,
      completion_tokens: 30,
      cost_usd: 0.00003,
    };
    const a = data.write(`${JSON.stringify(record)}\n`);
    const b = prov.write(`${JSON.stringify(entry)}\n`);
    if (!a) await new Promise((r) => data.once('drain', r));
    if (!b) await new Promise((r) => prov.once('drain', r));
  }
  await Promise.all([new Promise((r) => data.end(r)), new Promise((r) => prov.end(r))]);
  writeFileSync(
    join(taskDir, 'task_card.jsonl'),
    `${JSON.stringify({ task_name: 'bench/big_task', data_builder: 'bench', settings: { target: N } })}\n`,
  );
}

function startViewer() {
  const child = spawn(process.execPath, [cli, 'view', join(work, 'out'), '--no-open'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = new Promise((resolve) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.trim());
    });
  });
  return { child, url };
}

function chromiumPath() {
  return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
}

console.log(`generating ${N.toLocaleString('en-US')} records in ${taskDir} …`);
const t = Date.now();
await generate();
const genS = (Date.now() - t) / 1000;
const dataMb = statSync(join(taskDir, 'data.jsonl')).size / 2 ** 20;
const provMb = statSync(join(taskDir, 'provenance.jsonl')).size / 2 ** 20;
console.log(
  `generated in ${genS.toFixed(1)} s: data.jsonl ${dataMb.toFixed(0)} MiB, provenance.jsonl ${provMb.toFixed(0)} MiB`,
);

const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
const results = {};
const children = [];
try {
  const viewer = startViewer();
  children.push(viewer.child);
  const url = await viewer.url;
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(url); // takes the token; the overview reads the files' line counts
  await page.waitForSelector('tr[data-task]');

  console.log('overview shown');
  // Cold: a fresh viewer process, first look at the task page (the overview above already
  // indexed data.jsonl once; a second fresh viewer measures the task page alone).
  viewer.child.kill('SIGINT');
  const fresh = startViewer();
  children.push(fresh.child);
  const freshUrl = await fresh.url;
  const base = freshUrl.replace(/\/\?token=.*/, '');
  const page2 = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const coldStart = Date.now();
  await page2.goto(
    freshUrl.replace(/\/\?token=/, `/task/${encodeURIComponent('bench/big_task')}?token=`),
  );
  await page2.waitForSelector('.rowbtn[data-index="0"]');
  results.coldMs = Date.now() - coldStart;
  console.log('cold', results);
  // The page then asks for facets, which read all of provenance.jsonl once (in the background of
  // the server): measured from the same navigation, and waited for so the next figures are not
  // taken while that pass competes for the CPU.
  await page2.waitForSelector('.facets h3', { timeout: 300_000 });
  results.facetsMs = Date.now() - coldStart;
  let started = Date.now();
  await page2.reload();
  await page2.waitForSelector('.rowbtn[data-index="0"]');
  results.warmMs = Date.now() - started;
  // Jump to the end of the list: the rows there are fetched by offset.
  started = Date.now();
  await page2.evaluate(() => {
    const list = document.querySelector('.vlist');
    list.scrollTop = list.scrollHeight;
  });
  await page2.waitForSelector(`.rowbtn[data-index="${N - 1}"]`);
  results.jumpMs = Date.now() - started;
  console.log('jump', results);
  // A text search: one request scans up to 250,000 lines from where the last one stopped.
  started = Date.now();
  await page2.goto(
    `${base}/task/${encodeURIComponent('bench/big_task')}?q=${encodeURIComponent(`Record ${N - 5}:`)}`,
  );
  await page2.waitForSelector('.count:has-text("matching")');
  results.searchMs = Date.now() - started;
  results.searchText = await page2.locator('.count').textContent();
  console.log('search', results);
} finally {
  for (const child of children) child.kill('SIGINT');
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}

const ok = results.coldMs < TARGET_MS;
const rows = [
  [
    'task page, first records shown (fresh viewer, cold index)',
    `${results.coldMs} ms`,
    `< ${TARGET_MS} ms`,
    ok ? 'yes' : 'no',
  ],
  [
    'task page again (index in memory)',
    `${results.warmMs} ms`,
    `< ${TARGET_MS} ms`,
    results.warmMs < TARGET_MS ? 'yes' : 'no',
  ],
  [`scroll to record ${N.toLocaleString('en-US')}`, `${results.jumpMs} ms`, '—', ''],
  [
    'text search, first request (scans up to 250,000 lines)',
    `${results.searchMs} ms (${results.searchText})`,
    '—',
    '',
  ],
  [
    'facets shown (one pass over all of provenance.jsonl), from the same navigation',
    `${results.facetsMs} ms`,
    '—',
    '',
  ],
];
const table = [
  '| measurement | result | target | met |',
  '| --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
const md = `# dgt view on ${N.toLocaleString('en-US')} records

Measured by \`node bench/viewer/run.mjs\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB,
Node ${process.version}, Debian's chromium driven by playwright-core. One task folder with
${N.toLocaleString('en-US')} records: data.jsonl ${dataMb.toFixed(0)} MiB, provenance.jsonl ${provMb.toFixed(0)} MiB (one LM request with
prompt and reply and one judge verdict per record). Times are from navigation to the first rows in
the page (the list is virtualised: only the rows in view exist; pages of 100 are read through a byte
offset index built by one streamed pass over data.jsonl).

${table}
`;
writeFileSync(join(here, 'RESULTS.md'), md);
console.log(md);
process.exit(ok ? 0 : 1);
