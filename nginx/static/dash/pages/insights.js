// #/insights: stored insights (GET /api/v1/insights), newest first, and
// a button to look again now (POST /api/v1/insights/generate).
import { api } from '../api.js';
import { h, clear, when, empty, failed, loading } from '../ui.js';

export const title = 'Insights';

export function render(main) {
  const body = h('div', { id: 'insights' });
  const status = h('p', { class: 'state', role: 'status' });
  const gen = h('button', { type: 'button', class: 'primary', id: 'insights-generate' }, 'Look for insights now');
  let cursor = null;
  const more = h('button', { type: 'button', hidden: true }, 'Older');
  function item(i) {
    return h('article', { class: `panel insight ${i.kind}` },
      h('div', { class: 'muted' }, `${i.kind} · ${i.subject || ''} · ${when(i.periodStart)}`),
      h('p', {}, i.title));
  }
  async function load(reset) {
    try {
      const r = await api('/insights', { query: { limit: 50, cursor: reset ? null : cursor } });
      if (reset) { clear(body); cursor = null; }
      body.append(...r.data.map(item));
      if (!body.children.length) body.append(empty('No insights yet: they are made hourly, or press the button.'));
      cursor = r.next_cursor;
      more.hidden = !cursor;
    } catch (e) { if (e.status !== 401) body.append(failed(e)); }
  }
  gen.addEventListener('click', async () => {
    gen.disabled = true;
    status.textContent = 'Looking…';
    try {
      const r = await api('/insights/generate', { method: 'POST', body: {} });
      status.textContent = `${r.data.length} new insight${r.data.length === 1 ? '' : 's'}.`;
      await load(true);
    } catch (e) { status.textContent = `Could not generate: ${e.message}`; }
    gen.disabled = false;
  });
  more.addEventListener('click', () => load(false));
  main.append(h('h1', {}, 'Insights'), h('div', { class: 'controls' }, gen, status), body, more);
  body.append(loading());
  load(true);
}
