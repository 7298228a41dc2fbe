// #/traces: the traces explorer (GET /api/v1/traces with filters and cursor
// paging); #/traces/<id>: one trace's span tree (GET /api/v1/traces/{id}).
import { api } from '../api.js';
import { h, clear, fill, num, money, ms, when, empty, failed, loading } from '../ui.js';

export const title = 'Traces';
const filters = { feature: '', model: '', userId: '', sessionId: '', status: '' };

function filterForm(onsubmit) {
  const input = (name, label) => h('span', { class: 'field' }, h('label', { for: `tf-${name}` }, label),
    h('input', { id: `tf-${name}`, name, value: filters[name], type: 'text', size: 14 }));
  const status = h('select', { id: 'tf-status', name: 'status' },
    h('option', { value: '' }, 'any'), h('option', { value: 'ok' }, 'ok'), h('option', { value: 'error' }, 'error'));
  status.value = filters.status;
  const form = h('form', { class: 'controls', role: 'search', 'aria-label': 'Filter traces' },
    input('feature', 'Feature'), input('model', 'Model'), input('userId', 'User'), input('sessionId', 'Session'),
    h('span', { class: 'field' }, h('label', { for: 'tf-status' }, 'Status'), status),
    h('button', { type: 'submit', class: 'primary' }, 'Filter'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    for (const k of Object.keys(filters)) filters[k] = new FormData(form).get(k) || '';
    onsubmit();
  });
  return form;
}

function list(main) {
  const rows = h('tbody', {});
  const more = h('button', { type: 'button', id: 'traces-more', hidden: true }, 'Load more');
  const status = h('div', {});
  const tbl = h('div', { class: 'tablewrap' }, h('table', { id: 'traces-table' },
    h('thead', {}, h('tr', {}, ['Started', 'Name', 'Feature', 'Model', 'User', 'Spans', 'Tokens', 'Cost', 'Latency', 'Status']
      .map((t, i) => h('th', { scope: 'col', class: i >= 5 && i <= 8 ? 'num' : null }, t)))), rows));
  let cursor = null;
  async function page(reset) {
    if (reset) { clear(rows); cursor = null; }
    more.hidden = true;
    clear(status).append(loading());
    try {
      const r = await api('/traces', { query: { ...filters, limit: 50, cursor } });
      clear(status);
      for (const t of r.data) rows.append(h('tr', {},
        h('td', {}, h('a', { href: `#/traces/${encodeURIComponent(t.traceId)}` }, when(t.startTime))),
        h('td', {}, t.name), h('td', {}, t.feature), h('td', {}, t.model), h('td', {}, t.userId),
        h('td', { class: 'num' }, num(t.spanCount)), h('td', { class: 'num' }, num(t.totalTokens)),
        h('td', { class: 'num' }, money(t.cost)), h('td', { class: 'num' }, ms(t.latencyMs)),
        h('td', { class: t.status === 'error' ? 'status-error' : null }, t.status)));
      if (!rows.children.length) status.append(empty('No traces match.'));
      cursor = r.next_cursor;
      more.hidden = !cursor;
    } catch (e) { if (e.status !== 401) clear(status).append(failed(e)); }
  }
  more.addEventListener('click', () => page(false));
  main.append(h('h1', {}, 'Traces'), filterForm(() => page(true)),
    h('section', { class: 'panel' }, tbl, status, more));
  page(true);
}

/** One span and its children, with a bar placing it on the trace's time line. */
function spanItem(s, t0, total) {
  const start = Date.parse(s.startTime) - t0;
  const bar = h('span', {});
  bar.style.left = `${total > 0 ? (100 * start) / total : 0}%`;
  bar.style.width = `${total > 0 ? (100 * (s.latencyMs || 0)) / total : 0}%`;
  return h('li', { class: 'span' },
    h('div', { class: 'span-head' },
      h('span', { class: 'span-name' }, s.name),
      h('span', { class: 'muted' }, [s.provider, s.model].filter(Boolean).join(' · ')),
      h('span', {}, `+${ms(start)} · ${ms(s.latencyMs)}`),
      h('span', {}, `${num(s.inputTokens)} in / ${num(s.outputTokens)} out tokens`),
      h('span', {}, money(s.cost)),
      h('span', { class: s.status === 'error' ? 'status-error' : 'muted' }, s.status)),
    h('div', { class: 'timeline', 'aria-hidden': 'true' }, bar),
    s.input || s.output ? h('details', {}, h('summary', {}, 'Input and output'),
      s.input ? h('pre', {}, typeof s.input === 'string' ? s.input : JSON.stringify(s.input, null, 2)) : null,
      s.output ? h('pre', {}, typeof s.output === 'string' ? s.output : JSON.stringify(s.output, null, 2)) : null) : null,
    s.children && s.children.length ? h('ul', { class: 'spans' }, s.children.map((c) => spanItem(c, t0, total))) : null);
}

function detail(main, id) {
  const body = h('div', {});
  main.append(h('p', {}, h('a', { href: '#/traces' }, '← All traces')), body);
  fill(body, async () => {
    const t = (await api(`/traces/${encodeURIComponent(id)}`)).data;
    const t0 = Date.parse(t.startTime);
    return h('div', {},
      h('h1', {}, `Trace ${t.name || ''}`),
      h('p', { class: 'muted' }, h('code', {}, t.traceId)),
      h('div', { class: 'cards' },
        h('div', { class: 'card' }, h('div', { class: 'card-label' }, 'Duration'), h('div', { class: 'card-value' }, ms(t.latencyMs))),
        h('div', { class: 'card' }, h('div', { class: 'card-label' }, 'Spans'), h('div', { class: 'card-value' }, num(t.spanCount))),
        h('div', { class: 'card' }, h('div', { class: 'card-label' }, 'Tokens'), h('div', { class: 'card-value' }, num(t.totalTokens))),
        h('div', { class: 'card' }, h('div', { class: 'card-label' }, 'Cost'), h('div', { class: 'card-value' }, money(t.cost))),
        h('div', { class: 'card' }, h('div', { class: 'card-label' }, 'Errors'), h('div', { class: 'card-value' }, num(t.errorCount)))),
      h('p', {}, 'User ', h('code', {}, t.userId || '–'), ' · started ', when(t.startTime),
        t.sessionId ? [' · ', h('a', { href: `#/sessions/${encodeURIComponent(t.sessionId)}`, id: 'session-link' }, `session ${t.sessionId}`)] : null),
      h('section', { class: 'panel' }, h('h2', {}, 'Spans'),
        t.spans && t.spans.length ? h('ul', { class: 'spans', id: 'span-tree' }, t.spans.map((s) => spanItem(s, t0, t.latencyMs)))
          : empty('This trace has no spans.')));
  });
}

export function render(main, { params }) {
  if (params[0]) detail(main, params[0]);
  else list(main);
}
