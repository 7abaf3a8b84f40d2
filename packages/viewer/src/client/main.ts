import './styles.css';
import { ApiError, initToken, subscribe, taskPage } from './api.js';
import { h, mount } from './dom.js';
import { renderOverview } from './overview.js';
import { renderRecords } from './records.js';
import { renderCard, renderLogs, renderRejects, renderStats } from './task-tabs.js';

const TABS = [
  ['', 'Records'],
  ['rejects', 'Rejects'],
  ['stats', 'Stats'],
  ['card', 'Task card'],
  ['logs', 'Logs'],
] as const;

let onChange: ((tasks: string[]) => void) | undefined;

/** Renders the page for the current path: `/` or `/task/<store name>[/<tab>]`. */
async function route(): Promise<void> {
  const main = document.getElementById('main')!;
  onChange = undefined;
  const parts = location.pathname.split('/').filter(Boolean);
  try {
    if (parts[0] !== 'task' || !parts[1]) {
      document.title = 'Tasks · DGT viewer';
      onChange = await renderOverview(main);
      return;
    }
    const task = decodeURIComponent(parts[1]);
    const tab = parts[2] ?? '';
    const label = TABS.find(([t]) => t === tab)?.[1] ?? 'Records';
    document.title = `${label} · ${task} · DGT viewer`;
    const section = h('section', { id: 'tab', 'aria-labelledby': 'tab-heading' });
    mount(
      main,
      h(
        'nav',
        { 'aria-label': 'Breadcrumb', class: 'crumbs' },
        h('a', { href: '/' }, 'Tasks'),
        ' / ',
        task,
      ),
      h('h1', {}, task),
      h(
        'nav',
        { 'aria-label': 'Task pages' },
        h(
          'ul',
          { class: 'tabs' },
          TABS.map(([t, name]) =>
            h(
              'li',
              {},
              h(
                'a',
                { href: taskPage(task, t), 'aria-current': t === tab ? 'page' : undefined },
                name,
              ),
            ),
          ),
        ),
      ),
      h('h2', { id: 'tab-heading', class: 'sr-only' }, label),
      section,
    );
    if (tab === '') onChange = await renderRecords(section, task);
    else if (tab === 'rejects') await renderRejects(section, task);
    else if (tab === 'stats') await renderStats(section, task);
    else if (tab === 'card') await renderCard(section, task);
    else if (tab === 'logs') await renderLogs(section, task);
    else mount(section, h('p', {}, 'No such page.'));
  } catch (error) {
    mount(
      main,
      h('h1', {}, 'Cannot show this page'),
      h(
        'p',
        { role: 'alert' },
        error instanceof ApiError && error.status === 401
          ? 'The session token is missing or wrong: open the URL that dgt view printed.'
          : String((error as Error).message ?? error),
      ),
    );
  }
}

// Links inside the app change the page without a reload.
document.addEventListener('click', (event) => {
  const link = (event.target as Element).closest?.('a');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey)
    return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin) return;
  event.preventDefault();
  history.pushState(null, '', url.pathname + url.search);
  void route().then(() => document.getElementById('main')?.focus());
});
addEventListener('popstate', () => void route());

initToken();
void route();
const live = document.getElementById('live');
subscribe((tasks) => {
  if (live) live.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  onChange?.(tasks);
});
