import { get, taskApi } from './api.js';
import { formatNumber, h, mount, preview } from './dom.js';
import { renderRecordDetail } from './record-detail.js';
import type { Facets, RecordPage, RecordRow } from './types.js';

const ROW_HEIGHT = 44;
const PAGE = 100;
const MAX_HEIGHT = 4_000_000;

type Filter = Record<'q' | 'field' | 'value' | 'verdict' | 'score_min' | 'score_max', string>;

/**
 * A virtualised list of records: only the rows in view exist in the page, and pages of 100 are
 * fetched as they scroll into view, so a million records cost what a screenful does.
 */
class VirtualList {
  readonly el: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly pages = new Map<number, Promise<RecordRow[]>>();
  private readonly loaded = new Map<number, RecordRow[]>();
  private total = 0;
  private selected = -1;

  constructor(
    private readonly fetchPage: (page: number) => Promise<RecordPage>,
    private readonly onSelect: (row: RecordRow) => void,
  ) {
    this.spacer = h('div', { class: 'spacer', role: 'list', 'aria-label': 'Records' });
    this.el = h('div', { class: 'vlist', tabindex: -1 }, this.spacer);
    this.el.addEventListener('scroll', () => this.render(), { passive: true });
  }

  get size(): number {
    return this.total;
  }

  setTotal(total: number): void {
    this.total = total;
    this.spacer.style.height = `${Math.min(total * ROW_HEIGHT, MAX_HEIGHT)}px`;
  }

  reset(): void {
    this.pages.clear();
    this.loaded.clear();
  }

  async start(): Promise<void> {
    const first = await this.fetchPage(0);
    this.loaded.set(0, first.rows);
    this.pages.set(0, Promise.resolve(first.rows));
    this.setTotal(first.total);
    this.render();
  }

  private load(page: number): void {
    if (this.pages.has(page)) return;
    const pending = this.fetchPage(page).then((result) => {
      this.loaded.set(page, result.rows);
      if (result.total !== this.total) this.setTotal(result.total);
      this.render();
      return result.rows;
    });
    this.pages.set(page, pending);
  }

  render(): void {
    const top = this.el.scrollTop;
    const height = this.el.clientHeight || 600;
    // Browsers cap an element's height (~33M px in Chromium): past MAX_HEIGHT the scrollbar
    // maps onto the records proportionally, and rows are placed around the scroll position.
    const virtual = Math.min(this.total * ROW_HEIGHT, MAX_HEIGHT);
    const inView = height / ROW_HEIGHT;
    const fraction = Math.min(1, top / Math.max(1, virtual - height));
    const atTop = fraction * Math.max(0, this.total - inView);
    const first = Math.max(0, Math.floor(atTop) - 5);
    const last = Math.min(this.total, Math.ceil(atTop + inView) + 5);
    const place = (i: number) => top + (i - atTop) * ROW_HEIGHT;
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      // Rows below the scroll area would stretch it (and move the scrollbar's mapping).
      if (place(i) + ROW_HEIGHT > virtual + 1) break;
      const page = Math.floor(i / PAGE);
      const row = this.loaded.get(page)?.[i - page * PAGE];
      if (!row) this.load(page);
      const item = h(
        'div',
        {
          role: 'listitem',
          class: 'vrow',
          'aria-posinset': i + 1,
          'aria-setsize': this.total,
        },
        row
          ? h(
              'button',
              {
                type: 'button',
                class: `rowbtn${i === this.selected ? ' selected' : ''}`,
                'aria-pressed': i === this.selected ? 'true' : 'false',
                'data-index': row.index,
                onclick: () => {
                  this.selected = i;
                  this.render();
                  this.onSelect(row);
                },
              },
              h('span', { class: 'idx' }, formatNumber(row.index + 1)),
              h('span', { class: 'pv' }, preview(row.record)),
              row.review ? h('span', { class: `badge badge-${row.review}` }, row.review) : null,
            )
          : h('span', { class: 'muted' }, 'Loading…'),
      );
      // Through CSSOM, which the page's Content-Security-Policy allows (style attributes it does not).
      item.style.top = `${place(i).toFixed(1)}px`;
      rows.push(item);
    }
    this.spacer.replaceChildren(...rows);
  }
}

/** The records tab: search and facets, the virtualised list, and the selected record. */
export async function renderRecords(
  section: HTMLElement,
  task: string,
): Promise<(changed: string[]) => void> {
  const params = new URLSearchParams(location.search);
  const filter: Filter = {
    q: params.get('q') ?? '',
    field: params.get('field') ?? '',
    value: params.get('value') ?? '',
    verdict: params.get('verdict') ?? '',
    score_min: params.get('score_min') ?? '',
    score_max: params.get('score_max') ?? '',
  };
  const filtered = Object.values(filter).some((v) => v !== '');
  const detail = h(
    'section',
    { class: 'detail', 'aria-label': 'Selected record' },
    h('p', { class: 'muted' }, 'Select a record to see its provenance and review it.'),
  );
  const count = h('p', { class: 'count', role: 'status' });
  const facetsBox = h(
    'aside',
    { class: 'facets', 'aria-label': 'Facets' },
    h('p', { class: 'muted' }, 'Loading facets…'),
  );

  const select = (row: RecordRow) =>
    void renderRecordDetail(detail, task, row.index, () => refresh());
  let list: VirtualList | undefined;
  let matches: RecordRow[] = [];
  let next: number | undefined;
  const resultBox = h('div', { class: 'results' });

  const input = (name: keyof Filter, label: string, attrs: Record<string, unknown> = {}) =>
    h('label', {}, h('span', {}, label), h('input', { name, value: filter[name], ...attrs }));
  const form = h(
    'form',
    {
      class: 'search',
      role: 'search',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const data = new FormData(form);
        const search = new URLSearchParams();
        for (const [key, value] of data)
          if (String(value).trim() !== '') search.set(key, String(value).trim());
        history.pushState(null, '', `${location.pathname}${search.size ? `?${search}` : ''}`);
        dispatchEvent(new PopStateEvent('popstate'));
      },
    },
    input('q', 'Search text', { type: 'search', placeholder: 'any text in the record' }),
    input('field', 'Field', { placeholder: 'e.g. answer', list: 'field-names' }),
    input('value', 'contains'),
    h(
      'label',
      {},
      h('span', {}, 'Verdict / review'),
      h('select', { name: 'verdict' }, h('option', { value: '' }, 'any')),
    ),
    input('score_min', 'Judge score ≥', { type: 'number', step: 'any', class: 'narrow' }),
    input('score_max', '≤', { type: 'number', step: 'any', class: 'narrow' }),
    h('button', { type: 'submit' }, 'Search'),
    filtered ? h('a', { href: location.pathname, class: 'clear' }, 'Clear') : null,
  );

  async function showFiltered(from: number) {
    const page = await get<RecordPage>(taskApi(task, 'records'), { ...filter, from, limit: PAGE });
    matches = from === 0 ? page.rows : [...matches, ...page.rows];
    next = page.next;
    count.textContent = `${formatNumber(matches.length)} matching record${matches.length === 1 ? '' : 's'}${next !== undefined ? ` in the first ${formatNumber(next)} of ${formatNumber(page.total)} (more may follow)` : ` of ${formatNumber(page.total)}`}`;
    mount(
      resultBox,
      h(
        'ul',
        { class: 'matches', 'aria-label': 'Matching records' },
        matches.map((row) =>
          h(
            'li',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'rowbtn',
                'data-index': row.index,
                onclick: () => select(row),
              },
              h('span', { class: 'idx' }, formatNumber(row.index + 1)),
              h('span', { class: 'pv' }, preview(row.record)),
              row.review ? h('span', { class: `badge badge-${row.review}` }, row.review) : null,
            ),
          ),
        ),
      ),
      next !== undefined
        ? h(
            'button',
            { type: 'button', class: 'secondary', onclick: () => void showFiltered(next!) },
            'Search further',
          )
        : null,
    );
  }

  async function refresh() {
    if (filtered) return showFiltered(0);
    if (!list) {
      list = new VirtualList(
        async (page) =>
          get<RecordPage>(taskApi(task, 'records'), { offset: page * PAGE, limit: PAGE }),
        select,
      );
      mount(resultBox, list.el);
      await list.start();
    } else {
      list.reset();
      const first = await get<RecordPage>(taskApi(task, 'records'), { offset: 0, limit: 1 });
      list.setTotal(first.total);
      list.render();
    }
    count.textContent = `${formatNumber(list.size)} records`;
  }

  mount(
    section,
    form,
    h(
      'div',
      { class: 'split' },
      facetsBox,
      h('div', { class: 'listcol' }, count, resultBox),
      detail,
    ),
  );
  await refresh();

  void get<Facets>(taskApi(task, 'facets')).then((facets) => {
    const verdictSelect = form.querySelector('select[name=verdict]') as HTMLSelectElement;
    const options: [string, string][] = [
      ...Object.keys(facets.verdicts).map((b) => [`block:${b}`, `passed ${b}`] as [string, string]),
      ...['approve', 'reject', 'edit', 'none'].map(
        (r) => [`review:${r}`, r === 'none' ? 'not reviewed' : `review: ${r}`] as [string, string],
      ),
    ];
    for (const [value, label] of options)
      verdictSelect.append(h('option', { value, selected: filter.verdict === value }, label));
    const link = (search: Record<string, string>, label: string, n?: number) =>
      h(
        'li',
        {},
        h('a', { href: `${location.pathname}?${new URLSearchParams(search)}` }, label),
        n !== undefined ? h('span', { class: 'muted' }, ` ${formatNumber(n)}`) : null,
      );
    mount(
      facetsBox,
      h('h2', { class: 'small-h' }, 'Facets'),
      h(
        'datalist',
        { id: 'field-names' },
        facets.fields.map((f) => h('option', { value: f.field })),
      ),
      Object.keys(facets.verdicts).length
        ? [
            h('h3', {}, 'Validators passed'),
            h(
              'ul',
              { class: 'plain' },
              Object.entries(facets.verdicts).map(([b, n]) =>
                link({ verdict: `block:${b}` }, b, n),
              ),
            ),
          ]
        : null,
      Object.keys(facets.judgeScores).length
        ? [
            h('h3', {}, 'Judge score'),
            h(
              'ul',
              { class: 'plain' },
              Object.entries(facets.judgeScores)
                .sort((a, b) => Number(a[0]) - Number(b[0]))
                .map(([s, n]) => link({ score_min: s, score_max: s }, s, n)),
            ),
          ]
        : null,
      h('h3', {}, 'Review'),
      h(
        'ul',
        { class: 'plain' },
        ['approve', 'reject', 'edit'].map((r) =>
          link({ verdict: `review:${r}` }, r, facets.review[r] ?? 0),
        ),
      ),
      facets.fields
        .filter((f) => f.values.length > 0 && f.field !== 'task_name')
        .map((f) => [
          h('h3', {}, f.field),
          h(
            'ul',
            { class: 'plain' },
            f.values
              .slice(0, 8)
              .map((v) => link({ field: f.field, value: v.value }, v.value, v.count)),
          ),
        ]),
      h(
        'p',
        { class: 'muted small' },
        `Field values from the first ${formatNumber(facets.sampled)} records.`,
      ),
    );
  });
  return (changed) => {
    if (changed.includes(task)) void refresh();
  };
}
