import { get, taskPage } from './api.js';
import { formatCost, formatNumber, h, mount } from './dom.js';
import type { TaskSummary } from './types.js';

/** The overview: every task under the output folder with its progress, rejects and spending. */
export async function renderOverview(main: HTMLElement): Promise<(changed: string[]) => void> {
  const body = h('div');
  mount(main, h('h1', {}, 'Tasks'), body);
  const refresh = async () => {
    const { root, tasks } = await get<{ root: string; tasks: TaskSummary[] }>('/api/tasks');
    mount(
      body,
      h('p', { class: 'muted' }, `Output folder: ${root}`),
      tasks.length === 0
        ? h('p', {}, 'No task folders here yet. Start a run with dgt run; this page updates live.')
        : h(
            'table',
            { class: 'grid' },
            h('caption', { class: 'sr-only' }, 'Tasks, their progress and cost'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Task', 'Status', 'Accepted / target', 'Rejects per block', 'Tokens', 'Cost'].map(
                  (t) => h('th', { scope: 'col' }, t),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              tasks.map((task) => {
                const rejects = Object.entries(task.rejects);
                const pct = task.target
                  ? Math.min(100, (100 * task.accepted) / task.target)
                  : undefined;
                return h(
                  'tr',
                  { 'data-task': task.name },
                  h(
                    'th',
                    { scope: 'row' },
                    h('a', { href: taskPage(task.name) }, task.name),
                    task.builder ? h('div', { class: 'muted small' }, task.builder) : null,
                  ),
                  h(
                    'td',
                    {},
                    h(
                      'span',
                      { class: `status status-${task.status.replace(/\W+/g, '-')}` },
                      task.status,
                    ),
                  ),
                  h(
                    'td',
                    {},
                    `${formatNumber(task.accepted)}${task.target !== undefined ? ` / ${formatNumber(task.target)}` : ''}`,
                    pct !== undefined
                      ? h('progress', {
                          max: 100,
                          value: pct.toFixed(0),
                          'aria-label': `${pct.toFixed(0)}% of target`,
                        })
                      : null,
                  ),
                  h(
                    'td',
                    {},
                    rejects.length
                      ? h(
                          'ul',
                          { class: 'plain' },
                          rejects.map(([block, n]) =>
                            h(
                              'li',
                              {},
                              h(
                                'a',
                                {
                                  href: `${taskPage(task.name, 'rejects')}?block=${encodeURIComponent(block)}`,
                                },
                                block,
                              ),
                              `: ${formatNumber(n)}`,
                            ),
                          ),
                        )
                      : '—',
                  ),
                  h(
                    'td',
                    { class: 'num' },
                    task.source === 'counting'
                      ? h('span', { class: 'muted' }, 'counting…')
                      : formatNumber((task.promptTokens ?? 0) + (task.completionTokens ?? 0)),
                  ),
                  h(
                    'td',
                    { class: 'num' },
                    task.source === 'counting' ? '…' : formatCost(task.costUsd ?? 0),
                    task.source === 'live' ? h('div', { class: 'muted small' }, 'so far') : null,
                  ),
                );
              }),
            ),
          ),
    );
  };
  await refresh();
  return () => void refresh();
}
