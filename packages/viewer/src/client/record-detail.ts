import { ApiError, get, post, taskApi } from './api.js';
import { formatCost, formatNumber, h, mount } from './dom.js';
import type { LmNote, RecordDetail } from './types.js';

function promptText(prompt: unknown): string {
  if (typeof prompt === 'string') return prompt;
  if (Array.isArray(prompt))
    return prompt
      .map((m) => {
        const message = m as { role?: string; content?: unknown };
        return `[${message.role ?? '?'}]\n${typeof message.content === 'string' ? message.content : JSON.stringify(message.content)}`;
      })
      .join('\n\n');
  return JSON.stringify(prompt, null, 2);
}

function lmRequest(note: LmNote, i: number): HTMLElement {
  return h(
    'details',
    { class: 'request', open: i === 0 },
    h(
      'summary',
      {},
      `${note.block}: ${note.provider} / ${note.model}${note.cached ? ' (from cache)' : ''} — ${formatNumber(note.promptTokens)} + ${formatNumber(note.completionTokens)} tokens, ${note.durationMs} ms`,
    ),
    h(
      'dl',
      { class: 'kv' },
      note.cacheKey ? [h('dt', {}, 'Cache key'), h('dd', { class: 'mono' }, note.cacheKey)] : null,
      note.requestHash
        ? [h('dt', {}, 'Request hash'), h('dd', { class: 'mono' }, note.requestHash)]
        : null,
      note.costUsd !== undefined
        ? [h('dt', {}, 'Cost'), h('dd', {}, formatCost(note.costUsd))]
        : null,
      note.retries ? [h('dt', {}, 'Retries'), h('dd', {}, note.retries)] : null,
      note.error ? [h('dt', {}, 'Error'), h('dd', {}, note.error)] : null,
    ),
    note.prompt !== undefined
      ? [h('h4', {}, 'Prompt'), h('pre', { class: 'text' }, promptText(note.prompt))]
      : h('p', { class: 'muted' }, 'The block did not record its prompt.'),
    note.response !== undefined
      ? [h('h4', {}, 'Response'), h('pre', { class: 'text' }, note.response)]
      : null,
  );
}

const ATTRIBUTION: Record<string, string> = {
  record: 'these requests made this record',
  reply: 'the request whose reply contains this record',
  prompt: 'the request whose prompt contains this record',
  attempt:
    'every request of the attempt (the record was built afresh, so the exact request is unknown)',
  none: 'no LM request was seen for this record',
};

/** Shows one record: its fields, review actions, provenance and the prompt/response behind it. */
export async function renderRecordDetail(
  panel: HTMLElement,
  task: string,
  index: number,
  onReviewed: () => void,
): Promise<void> {
  mount(panel, h('p', {}, 'Loading…'));
  const detail = await get<RecordDetail>(taskApi(task, `record/${index}`));
  const status = h(
    'p',
    { role: 'status', class: 'review-status' },
    detail.decision
      ? `Review: ${detail.decision.decision} (${detail.decision.time})`
      : 'Not reviewed',
  );
  const editor = h('textarea', {
    id: 'edit-record',
    rows: 10,
    class: 'mono',
    'aria-label': 'Edited record (JSON)',
  });
  editor.value = JSON.stringify(
    detail.decision?.decision === 'edit' ? detail.decision.record : detail.record,
    null,
    2,
  );
  const editBox = h(
    'div',
    { class: 'edit', hidden: true },
    h(
      'label',
      { for: 'edit-record' },
      'Edit the record (JSON); saving stores it as an edit decision:',
    ),
    editor,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', onclick: () => void decide('edit') }, 'Save edit'),
      h(
        'button',
        { type: 'button', class: 'secondary', onclick: () => (editBox.hidden = true) },
        'Cancel',
      ),
    ),
  );

  async function decide(decision: 'approve' | 'reject' | 'edit'): Promise<void> {
    let record: unknown;
    if (decision === 'edit') {
      try {
        record = JSON.parse(editor.value);
      } catch (error) {
        status.textContent = `The edit is not valid JSON: ${(error as Error).message}`;
        return;
      }
    }
    try {
      await post('/api/review', {
        store_name: task,
        id: detail.id,
        index,
        decision,
        ...(record ? { record } : {}),
      });
      status.textContent = `Saved: ${decision}. The next dgt run applies it.`;
      editBox.hidden = true;
      onReviewed();
    } catch (error) {
      status.textContent = `Not saved: ${error instanceof ApiError ? `${error.status} ${error.message}` : String(error)}`;
    }
  }

  const p = detail.provenance;
  mount(
    panel,
    h(
      'h2',
      { id: 'record-heading' },
      `Record ${formatNumber(index + 1)}`,
      h('span', { class: 'muted mono small' }, ` id ${detail.id}`),
    ),
    h(
      'pre',
      { class: 'record mono', tabindex: 0, 'aria-label': 'Record JSON' },
      JSON.stringify(detail.record, null, 2),
    ),
    h(
      'div',
      { class: 'actions', role: 'group', 'aria-label': 'Review' },
      h(
        'button',
        { type: 'button', class: 'approve', onclick: () => void decide('approve') },
        'Approve',
      ),
      h(
        'button',
        { type: 'button', class: 'reject', onclick: () => void decide('reject') },
        'Reject',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => {
            editBox.hidden = false;
            editor.focus();
          },
        },
        'Edit…',
      ),
    ),
    status,
    editBox,
    h('h3', {}, 'Provenance'),
    !p
      ? h(
          'p',
          { class: 'muted' },
          'No provenance entry for this record (written by runs of this DGT version on).',
        )
      : p.missing
        ? h(
            'p',
            { class: 'muted' },
            'The entry was lost in a crash before this version; only the id is known.',
          )
        : [
            h(
              'dl',
              { class: 'kv' },
              h('dt', {}, 'Made'),
              h('dd', {}, `${p.time}, attempt ${p.attempt}${p.run_id ? `, run ${p.run_id}` : ''}`),
              p.builder
                ? [h('dt', {}, 'Builder'), h('dd', {}, `${p.builder.id}@${p.builder.version}`)]
                : null,
              p.blocks
                ? [
                    h('dt', {}, 'Blocks'),
                    h(
                      'dd',
                      {},
                      Object.entries(p.blocks)
                        .map(([n, v]) => `${n} (${v})`)
                        .join(', '),
                    ),
                  ]
                : null,
              p.templates?.length
                ? [
                    h('dt', {}, 'Templates'),
                    h(
                      'dd',
                      {},
                      p.templates.map((t) =>
                        h(
                          'div',
                          { class: 'mono small' },
                          `${t.file} sha256:${t.sha256.slice(0, 16)}…`,
                        ),
                      ),
                    ),
                  ]
                : null,
              h('dt', {}, 'Usage'),
              h(
                'dd',
                {},
                `${formatNumber(p.prompt_tokens)} prompt + ${formatNumber(p.completion_tokens)} completion tokens, ${formatCost(p.cost_usd)}${p.usage_share !== undefined ? ` (a ${(p.usage_share * 100).toFixed(0)}% share)` : ''}`,
              ),
              p.examples?.length
                ? [
                    h('dt', {}, 'Examples shown'),
                    h('dd', { class: 'mono small' }, p.examples.join(', ')),
                  ]
                : null,
              p.edited_from
                ? [h('dt', {}, 'Edited from'), h('dd', { class: 'mono' }, p.edited_from)]
                : null,
            ),
            h('h4', {}, 'Validators'),
            p.verdicts.length
              ? h(
                  'table',
                  { class: 'grid small' },
                  h(
                    'thead',
                    {},
                    h(
                      'tr',
                      {},
                      ['Block', 'Type', 'Verdict', 'Fields'].map((t) =>
                        h('th', { scope: 'col' }, t),
                      ),
                    ),
                  ),
                  h(
                    'tbody',
                    {},
                    p.verdicts.map((v) =>
                      h(
                        'tr',
                        {},
                        h('td', {}, v.block),
                        h('td', {}, v.type),
                        h('td', {}, v.verdict),
                        h('td', { class: 'mono' }, v.fields ? JSON.stringify(v.fields) : ''),
                      ),
                    ),
                  ),
                )
              : h('p', { class: 'muted' }, 'No validator saw this very record.'),
            h('h4', {}, `LM requests — ${ATTRIBUTION[p.lm_attribution] ?? p.lm_attribution}`),
            p.lm.map(lmRequest),
          ],
  );
}
