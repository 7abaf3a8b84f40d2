import { execFileSync } from 'node:child_process';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { recordId } from '@dgt/core';
import { type FakeLmServer, startFakeOpenAI } from '@dgt/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, readJsonl, runCli, startCli, tempDir } from './run-cli.js';

// Screenshots for the "Review your data" guide are refreshed when DGT_DOCS_SCREENSHOTS=1.
const SHOTS =
  process.env.DGT_DOCS_SCREENSHOTS === '1' ? path.join(REPO, 'apps/docs/guides/images') : undefined;

function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], {
    encoding: 'utf8',
  }).trim();
}

const GEO = 'examples/geography_qa';
let dir: string;
let browser: Browser;
let page: Page;
let viewer: ReturnType<typeof startCli>;
let url: string;
// Its replies fill the reply schema with made-up values, so every cot answer check fails: a
// task with rejects and no records, whatever the mock engine does.
let server: FakeLmServer;
const runArgs = (task: string, extra: string[] = []) => [
  'run',
  ...['--task-paths', path.join(REPO, task), '--engine', 'mock', '--output-dir', 'out', ...extra],
];

async function shot(name: string) {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

beforeAll(async () => {
  dir = await tempDir();
  expect(
    (
      await runCli(
        runArgs('examples/geography-qa/task.yaml', ['--num-outputs-to-generate', '24']),
        { cwd: dir },
      )
    ).code,
  ).toBe(0);
  server = await startFakeOpenAI();
  await runCli(
    [
      'run',
      ...['--task-paths', path.join(REPO, 'examples/cot/task.yaml'), '--output-dir', 'out'],
      ...['--engine', 'openai', '--model', 'm', '--base-url', server.baseURL],
    ],
    { cwd: dir },
  );
  viewer = startCli(['view', 'out', '--no-open'], { cwd: dir });
  url = await new Promise<string>((resolve, reject) => {
    let text = '';
    viewer.child.stdout!.on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.trim());
    });
    void viewer.done.then((r) => reject(new Error(`dgt view exited: ${r.stderr}`)));
  });
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  viewer?.child.kill('SIGINT');
  await viewer?.done;
});

describe('dgt view in chromium', () => {
  it('prints one URL line, on loopback, with a session token', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  it('overview lists every task with status, progress and rejects', async () => {
    await page.goto(url);
    const geo = page.locator(`tr[data-task="${GEO}"]`);
    await expect.poll(() => geo.count()).toBe(1);
    expect(await geo.textContent()).toMatch(/completed[\s\S]*24 \/ 24/);
    const cot = page.locator('tr[data-task="examples/cot/word_problems"]');
    expect(await cot.textContent()).toContain('answer_check: 8');
    // The token left the address bar (it is kept for the tab only).
    expect(page.url()).not.toContain('token=');
    await shot('viewer-overview');
  });

  it('the overview follows a run writing (server-sent events)', async () => {
    const cot = page.locator('tr[data-task="examples/cot/word_problems"] td').nth(1);
    expect((await cot.textContent())?.trim()).toBe('0');
    const data = path.join(dir, 'out/examples/cot/word_problems/data.jsonl');
    await appendFile(
      data,
      `${JSON.stringify({ task_name: 'examples/cot/word_problems', question: 'late' })}\n`,
    );
    await expect.poll(async () => (await cot.textContent())?.trim(), { timeout: 10_000 }).toBe('1');
    await writeFile(data, '');
  });

  it('a task page lists records; a record shows its provenance and the prompt/response', async () => {
    await page.getByRole('link', { name: GEO }).click();
    await page.waitForSelector('.rowbtn');
    expect(await page.locator('.count').textContent()).toBe('24 records');
    await page.locator('.rowbtn[data-index="2"]').click();
    await page.waitForSelector('text=LM requests');
    const detail = await page.locator('.detail').textContent();
    expect(detail).toContain('mock / mock');
    expect(detail).toContain('Prompt');
    expect(detail).toContain('Response');
    expect(detail).toContain('public/examples/geography_qa@');
    await shot('viewer-task');
  });

  it('search narrows the records', async () => {
    const records = await readJsonl(path.join(dir, 'out', GEO, 'data.jsonl'));
    const word = String(records[5]!.question).split(' ').slice(1, 4).join(' ');
    await page.getByLabel('Search text').fill(word);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForSelector('ul.matches');
    const shown = await page.locator('ul.matches .rowbtn').count();
    const expected = records.filter((r) =>
      JSON.stringify(r).toLowerCase().includes(word.toLowerCase()),
    ).length;
    expect(shown).toBe(expected);
    expect(shown).toBeLessThan(records.length);
    await page.getByRole('link', { name: 'Clear' }).click();
    await page.waitForSelector('.vlist .rowbtn');
  });

  it('approve, reject and edit post review decisions', async () => {
    const select = async (index: number) => {
      await page.locator(`.rowbtn[data-index="${index}"]`).click();
      await page.waitForSelector(`#record-heading:has-text("Record ${index + 1}")`);
    };
    await select(1);
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.waitForSelector('text=Saved: reject');
    await select(4);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForSelector('text=Saved: approve');
    await select(6);
    await page.getByRole('button', { name: 'Edit…' }).click();
    const editor = page.locator('#edit-record');
    const edited = JSON.parse(await editor.inputValue());
    edited.answer = 'Edited in the viewer';
    await editor.fill(JSON.stringify(edited));
    await page.getByRole('button', { name: 'Save edit' }).click();
    await page.waitForSelector('text=Saved: edit');
    await page.waitForSelector('.badge-reject');
    await shot('viewer-review');
    const review = await readJsonl(path.join(dir, 'out', GEO, 'review.jsonl'));
    expect(review.map((d) => d.decision)).toEqual(['reject', 'approve', 'edit']);
  });

  it('the rejects page lists rejected rows with reasons', async () => {
    await page.goto(
      url.replace(
        /\/\?token=.*/,
        `/task/${encodeURIComponent('examples/cot/word_problems')}/rejects`,
      ),
    );
    await page.waitForSelector('table.grid caption');
    expect(await page.locator('table.grid caption').textContent()).toContain(
      'Rows rejected by answer_check: 1–8 of 8',
    );
    expect(await page.locator('td.reason').count()).toBe(8);
    await shot('viewer-rejects');
  });

  it('stats, task card and logs pages render', async () => {
    const base = url.replace(/\/\?token=.*/, `/task/${encodeURIComponent(GEO)}`);
    await page.goto(`${base}/stats`);
    await page.waitForSelector('svg.chart');
    expect(await page.locator('.cards').textContent()).toContain('accepted records');
    await shot('viewer-stats');
    await page.goto(`${base}/card`);
    await page.waitForSelector('dl.kv');
    expect(await page.locator('#tab').textContent()).toContain('public/examples/geography_qa');
    await page.goto(`${base}/logs`);
    await page.waitForSelector('table.grid');
  });

  it('the page itself cannot post a decision without the session token', async () => {
    const status = await page.evaluate(async () => {
      const noToken = await fetch('/api/review', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      return noToken.status;
    });
    expect(status).toBe(401);
  });

  it('the next dgt run honours the decisions', async () => {
    const taskDir = path.join(dir, 'out', GEO);
    const before = await readJsonl(path.join(taskDir, 'final_data.jsonl'));
    const rerun = await runCli(
      runArgs('examples/geography-qa/task.yaml', ['--num-outputs-to-generate', '24']),
      { cwd: dir },
    );
    expect(rerun.code).toBe(0);
    const after = await readJsonl(path.join(taskDir, 'final_data.jsonl'));
    expect(after).toHaveLength(24);
    const ids = new Set(after.map((r) => recordId(r)));
    expect(ids.has(recordId(before[1]))).toBe(false);
    expect(ids.has(recordId(before[4]))).toBe(true);
    expect(ids.has(recordId(before[6]))).toBe(false);
    expect(
      after.some((r) => r.answer === 'Edited in the viewer' && r.question === before[6]!.question),
    ).toBe(true);
    // The viewer shows the new state (its index follows the rewritten file).
    await page.goto(url.replace(/\/\?token=.*/, `/task/${encodeURIComponent(GEO)}`));
    await page.waitForSelector('.rowbtn');
    expect(await page.locator('.count').textContent()).toBe('24 records');
    expect(await readFile(path.join(taskDir, 'blocks/_review.jsonl'), 'utf8')).toContain(
      'rejected in review',
    );
  });
});
