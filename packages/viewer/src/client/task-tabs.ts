import { get, taskApi } from './api.js';
import { formatCost, formatNumber, h, mount, preview, svg } from './dom.js';
import type { Stats } from './types.js';

/** The rejects tab: rejected rows of one block at a time, each with its reason. */
export async function renderRejects(section: HTMLElement, task: string): Promise<void> {
  const { blocks } = await get<{ blocks: Record<string, number> }>(taskApi(task, 'rejects'));
  const names = Object.keys(blocks);
  if (names.length === 0) {
    mount(section, h('p', {}, 'No block rejected anything in this task.'));
    return;
  }
  const wanted = new URLSearchParams(location.search).get('block');
  const block = wanted && names.includes(wanted) ? wanted : names[0]!;
  const offset = Number(new URLSearchParams(location.search).get('offset') ?? 0) || 0;
  const page = await get<{
    total: number;
    rows: { index: number; row: Record<string, unknown> }[];
  }>(taskApi(task, 'rejects'), { block, offset, limit: 100 });
  const href = (b: string, o = 0) =>
    `${location.pathname}?block=${encodeURIComponent(b)}${o ? `&offset=${o}` : ''}`;
  mount(
    section,
    h(
      'nav',
      { 'aria-label': 'Blocks' },
      h(
        'ul',
        { class: 'pills' },
        names.map((b) =>
          h(
            'li',
            {},
            h(
              'a',
              { href: href(b), 'aria-current': b === block ? 'page' : undefined },
              `${b} (${formatNumber(blocks[b]!)})`,
            ),
          ),
        ),
      ),
    ),
    h(
      'table',
      { class: 'grid' },
      h(
        'caption',
        {},
        `Rows rejected by ${block}: ${formatNumber(offset + 1)}–${formatNumber(Math.min(page.total, offset + page.rows.length))} of ${formatNumber(page.total)}`,
      ),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, '#'),
          h('th', { scope: 'col' }, 'Reason'),
          h('th', { scope: 'col' }, 'Row'),
        ),
      ),
      h(
        'tbody',
        {},
        page.rows.map(({ index, row }) => {
          const { _reason, _block, ...rest } = row;
          return h(
            'tr',
            {},
            h('td', { class: 'num' }, formatNumber(index + 1)),
            h('td', { class: 'reason' }, String(_reason ?? '')),
            h(
              'td',
              {},
              h(
                'details',
                {},
                h('summary', {}, preview(rest)),
                h('pre', { class: 'mono' }, JSON.stringify(rest, null, 2)),
              ),
            ),
          );
        }),
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      offset > 0 ? h('a', { href: href(block, Math.max(0, offset - 100)) }, '← Previous') : null,
      offset + 100 < page.total ? h('a', { href: href(block, offset + 100) }, 'Next →') : null,
    ),
  );
}

function lineChart(points: [number, number][], label: string): SVGElement {
  const W = 560;
  const H = 200;
  const P = 36;
  const x0 = points[0]?.[0] ?? 0;
  const x1 = points[points.length - 1]?.[0] ?? 1;
  const y1 = Math.max(1, ...points.map((p) => p[1]));
  const sx = (x: number) => P + ((x - x0) / Math.max(1, x1 - x0)) * (W - 2 * P);
  const sy = (y: number) => H - P - (y / y1) * (H - 2 * P);
  const d = points
    .map((p, i) => `${i ? 'L' : 'M'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`)
    .join(' ');
  const seconds = (x1 - x0) / 1000;
  return svg(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label, class: 'chart' },
    svg('title', {}, label),
    svg('line', { x1: P, y1: H - P, x2: W - P, y2: H - P, class: 'axis' }),
    svg('line', { x1: P, y1: P, x2: P, y2: H - P, class: 'axis' }),
    svg('path', { d, class: 'series' }),
    svg('text', { x: P, y: P - 8, class: 'tick' }, formatNumber(y1)),
    svg(
      'text',
      { x: W - P, y: H - 10, class: 'tick', 'text-anchor': 'end' },
      `${seconds.toFixed(1)} s`,
    ),
    svg('text', { x: P, y: H - 10, class: 'tick' }, '0 s'),
  );
}

function barChart(bars: { label: string; value: number }[], label: string): SVGElement {
  const W = 560;
  const H = 200;
  const P = 30;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const bw = (W - 2 * P) / Math.max(1, bars.length);
  return svg(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label, class: 'chart' },
    svg('title', {}, label),
    ...bars.flatMap((b, i) => {
      const height = (b.value / max) * (H - 2 * P);
      return [
        svg(
          'rect',
          {
            x: P + i * bw + 2,
            y: H - P - height,
            width: Math.max(1, bw - 4),
            height,
            class: 'bar',
          },
          svg('title', {}, `${b.label}: ${formatNumber(b.value)}`),
        ),
        svg(
          'text',
          { x: P + i * bw + bw / 2, y: H - P + 14, class: 'tick', 'text-anchor': 'middle' },
          b.label,
        ),
      ];
    }),
    svg('line', { x1: P, y1: H - P, x2: W - P, y2: H - P, class: 'axis' }),
  );
}

/** The stats tab: acceptance over time, throughput, LM latency, cost per block. */
export async function renderStats(section: HTMLElement, task: string): Promise<void> {
  const stats = await get<Stats>(taskApi(task, 'stats'));
  if (stats.records === 0) {
    mount(section, h('p', {}, 'No provenance yet: stats appear as records are accepted.'));
    return;
  }
  const first = stats.timeline[0]?.[0] ?? 0;
  const last = stats.timeline[stats.timeline.length - 1]?.[0] ?? first;
  const minutes = Math.max(1 / 60, (last - first) / 60_000);
  const edges = stats.latencyEdges;
  const latencyBars = stats.latency.map((n, i) => ({
    label:
      i < edges.length
        ? `≤${edges[i]! >= 1000 ? `${edges[i]! / 1000}s` : `${edges[i]}ms`}`
        : `>${edges[edges.length - 1]! / 1000}s`,
    value: n,
  }));
  mount(
    section,
    h(
      'div',
      { class: 'cards' },
      h(
        'div',
        { class: 'card' },
        h('div', { class: 'big' }, formatNumber(stats.records)),
        'accepted records',
      ),
      h(
        'div',
        { class: 'card' },
        h('div', { class: 'big' }, formatNumber(stats.records / minutes)),
        'records per minute',
      ),
      h(
        'div',
        { class: 'card' },
        h('div', { class: 'big' }, formatNumber(stats.promptTokens + stats.completionTokens)),
        'tokens',
      ),
      h(
        'div',
        { class: 'card' },
        h('div', { class: 'big' }, formatCost(stats.costUsd)),
        'cost of accepted records',
      ),
    ),
    h('h2', {}, 'Accepted records over time'),
    lineChart(stats.timeline, 'Cumulative accepted records over the run'),
    h('h2', {}, 'LM request latency'),
    barChart(
      latencyBars,
      'Histogram of LM request latency (requests behind accepted records, cache hits excluded)',
    ),
    h('h2', {}, 'Cost per block'),
    h(
      'table',
      { class: 'grid' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Block', 'Requests', 'Tokens', 'Cost'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        Object.entries(stats.blocks).map(([block, b]) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, block),
            h('td', { class: 'num' }, formatNumber(b.requests)),
            h('td', { class: 'num' }, formatNumber(b.tokens)),
            h('td', { class: 'num' }, formatCost(b.costUsd)),
          ),
        ),
      ),
    ),
    h(
      'p',
      { class: 'muted small' },
      'Figures cover the requests behind accepted records, from provenance.jsonl; the overview shows the whole run’s totals once it has finished.',
    ),
  );
}

/** The task card: what the task was run with (secrets were redacted when it was written). */
export async function renderCard(section: HTMLElement, task: string): Promise<void> {
  const { card } = await get<{ card: Record<string, unknown> | null }>(taskApi(task, 'card'));
  if (!card) {
    mount(section, h('p', {}, 'No task card yet.'));
    return;
  }
  const simple = Object.entries(card).filter(([, v]) => v === null || typeof v !== 'object');
  const nested = Object.entries(card).filter(([, v]) => v !== null && typeof v === 'object');
  mount(
    section,
    h(
      'dl',
      { class: 'kv' },
      simple.map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]),
    ),
    nested.map(([k, v]) =>
      h(
        'details',
        { open: k === 'settings' },
        h('summary', {}, k),
        h('pre', { class: 'mono' }, JSON.stringify(v, null, 2)),
      ),
    ),
  );
}

/** The latest lines of the task's logs. */
export async function renderLogs(section: HTMLElement, task: string): Promise<void> {
  const { total, lines } = await get<{ total: number; lines: Record<string, unknown>[] }>(
    taskApi(task, 'logs'),
    { limit: 300 },
  );
  mount(
    section,
    h(
      'p',
      { class: 'muted' },
      `The last ${formatNumber(lines.length)} of ${formatNumber(total)} log lines, newest first.`,
    ),
    h(
      'table',
      { class: 'grid small' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Time', 'Type', 'Details'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        [...lines]
          .reverse()
          .map(({ time, type, ...rest }) =>
            h(
              'tr',
              {},
              h('td', { class: 'mono' }, String(time ?? '')),
              h('td', {}, String(type ?? '')),
              h('td', { class: 'mono wrap' }, String(rest.message ?? JSON.stringify(rest))),
            ),
          ),
      ),
    ),
  );
}
