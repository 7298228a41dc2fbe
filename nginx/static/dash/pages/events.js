// #/events: the events explorer (GET /api/v1/events): exact-match filters,
// cursor paging, each event's JSON on demand.
import { api } from '../api.js';
import { h, time, clear, when, empty, failed, loading } from '../ui.js';

export const title = 'Events';
const filters = { event: '', type: '', userId: '', anonymousId: '', sessionId: '', from: '', to: '' };
const TYPES = ['', 'track', 'page', 'screen', 'identify', 'group', 'alias'];

export function render(main) {
  const input = (name, label, type = 'text') => h('span', { class: 'field' }, h('label', { for: `ef-${name}` }, label),
    h('input', { id: `ef-${name}`, name, type, value: filters[name], size: 14 }));
  const type = h('select', { id: 'ef-type', name: 'type' }, TYPES.map((t) => h('option', { value: t }, t || 'any')));
  type.value = filters.type;
  const form = h('form', { class: 'controls', role: 'search', 'aria-label': 'Filter events' },
    input('event', 'Event'), h('span', { class: 'field' }, h('label', { for: 'ef-type' }, 'Type'), type),
    input('userId', 'User'), input('anonymousId', 'Anonymous id'), input('sessionId', 'Session'),
    input('from', 'From', 'datetime-local'), input('to', 'To', 'datetime-local'),
    h('button', { type: 'submit', class: 'primary' }, 'Filter'));
  const rows = h('tbody', {});
  const status = h('div', {});
  const more = h('button', { type: 'button', id: 'events-more', hidden: true }, 'Load more');
  let cursor = null;

  const iso = (v) => (v ? new Date(v).toISOString() : '');
  async function page(reset) {
    if (reset) { clear(rows); cursor = null; }
    more.hidden = true;
    clear(status).append(loading());
    try {
      const q = { ...filters, from: iso(filters.from), to: iso(filters.to), limit: 50, cursor };
      const r = await api('/events', { query: q });
      clear(status);
      for (const e of r.data) {
        const json = h('pre', { hidden: true }, JSON.stringify(e, null, 2));
        const btn = h('button', { type: 'button', class: 'small', 'aria-expanded': 'false' }, 'JSON');
        btn.addEventListener('click', () => {
          json.hidden = !json.hidden;
          btn.setAttribute('aria-expanded', String(!json.hidden));
        });
        rows.append(h('tr', {},
          h('td', {}, time(e.timestamp)), h('td', {}, e.type),
          h('td', {}, e.event || (e.properties && e.properties.path) || ''),
          h('td', {}, e.userId || h('span', { class: 'muted' }, e.anonymousId || '')),
          h('td', {}, e.sessionId || ''),
          h('td', {}, btn, json)));
      }
      if (!rows.children.length) status.append(empty('No events match.'));
      cursor = r.next_cursor;
      more.hidden = !cursor;
    } catch (e) { if (e.status !== 401) clear(status).append(failed(e)); }
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    for (const k of Object.keys(filters)) filters[k] = f.get(k) || '';
    page(true);
  });
  more.addEventListener('click', () => page(false));
  main.append(h('h1', {}, 'Events'), form, h('section', { class: 'panel' },
    h('div', { class: 'tablewrap' }, h('table', { id: 'events-table' },
      h('thead', {}, h('tr', {}, ['Time', 'Type', 'Event / path', 'User', 'Session', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
      rows)), status, more));
  page(true);
}
