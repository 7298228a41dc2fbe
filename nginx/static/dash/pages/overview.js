// #/overview: totals (stats), events and users over time (timeseries), top
// events, a realtime counter (realtime, every 5 s) and a funnel builder.
import { api } from '../api.js';
import { h, clear, fill, card, num, money, pct, table, bar, select, chart, range, empty, failed, loading } from '../ui.js';

export const title = 'Overview';
const state = { range: '7d', granularity: 'day' };

export function render(main) {
  const stops = [];
  const cards = h('div', { id: 'totals' });
  const plot = h('div', { class: 'chart', id: 'overview-chart', role: 'img', 'aria-label': 'Events and users over time' });
  const top = h('div', { id: 'top-events' });
  const live = h('div', { class: 'live', id: 'realtime', 'aria-live': 'polite' }, 'Realtime: …');
  const funnel = h('section', { class: 'panel', 'aria-labelledby': 'funnel-h' });

  const controls = h('div', { class: 'controls' },
    select('Range', 'ov-range', [['24h', 'Last 24 hours'], ['7d', 'Last 7 days'], ['30d', 'Last 30 days']], state.range,
      (e) => { state.range = e.target.value; load(); }),
    select('Granularity', 'ov-gran', [['hour', 'Hour'], ['day', 'Day']], state.granularity,
      (e) => { state.granularity = e.target.value; load(); }),
    live);

  main.append(h('h1', {}, 'Overview'), controls, cards,
    h('section', { class: 'panel' }, h('h2', {}, 'Events and users'), plot),
    h('div', { class: 'grid2' },
      h('section', { class: 'panel' }, h('h2', {}, 'Top events'), top),
      funnel));

  let destroyChart = () => {};
  let topEvents = [];
  async function load() {
    const r = range(state.range);
    fill(cards, async () => {
      const s = (await api('/analytics/stats', { query: r })).data;
      topEvents = s.topEvents || [];
      fill(top, async () => {
        const max = Math.max(0, ...topEvents.map((e) => e.count));
        return table([
          { label: 'Event', cell: (e) => e.event },
          { label: 'Count', cell: (e) => num(e.count), num: true },
          { label: 'Share', cell: (e) => bar(e.count, max) },
        ], topEvents, { emptyText: 'No events in this range.', id: 'top-events-table' });
      });
      buildFunnel();
      return h('div', { class: 'cards' },
        card('Events', num(s.events), 'events'), card('Users', num(s.users), 'users'),
        card('Sessions', num(s.sessions), 'sessions'), card('LLM calls', num(s.llmCalls), 'llmCalls'),
        card('Tokens', num(s.tokens), 'tokens'), card('LLM cost', money(s.cost), 'cost'),
        card('Trust score', s.votes ? pct(s.trustScore) : '–', 'trustScore'));
    });
    destroyChart();
    clear(plot).append(loading());
    try {
      const q = { ...r, granularity: state.granularity };
      const [ev, us] = await Promise.all([
        api('/analytics/timeseries', { query: { ...q, metric: 'events' } }),
        api('/analytics/timeseries', { query: { ...q, metric: 'users' } }),
      ]);
      clear(plot);
      if (!ev.data.length) { plot.append(empty('No data in this range.')); return; }
      destroyChart = chart(plot, ev.data.map((p) => Date.parse(p.timestamp)), [
        { label: 'Events', values: ev.data.map((p) => p.value) },
        { label: 'Users', values: us.data.map((p) => p.value) },
      ]);
    } catch (e) { if (e.status !== 401) clear(plot).append(failed(e)); }
  }

  // The funnel builder: 2 to 5 steps chosen from the events seen.
  let steps = [];
  function buildFunnel() {
    const names = topEvents.map((e) => e.event);
    if (!steps.length) steps = names.slice(0, 2);
    const result = h('div', { id: 'funnel-result' });
    const list = h('ol', { class: 'steps' }, steps.map((s, i) => {
      const id = `funnel-step-${i}`;
      const sel = h('select', { id, onchange: (e) => { steps[i] = e.target.value; } },
        names.map((n) => h('option', { value: n }, n)));
      sel.value = s;
      return h('li', {}, h('label', { for: id, class: 'sr-only' }, `Step ${i + 1}`), sel,
        steps.length > 2 ? h('button', { type: 'button', class: 'small', 'aria-label': `Remove step ${i + 1}`,
          onclick: () => { steps.splice(i, 1); buildFunnel(); } }, '×') : null);
    }));
    const run = async () => fill(result, async () => {
      const d = (await api('/analytics/funnel', { query: { ...range(state.range), steps: steps.join(',') } })).data;
      const max = d.steps.length ? d.steps[0].count : 0;
      return table([
        { label: 'Step', cell: (s) => s.name },
        { label: 'Users', cell: (s) => num(s.count), num: true },
        { label: 'Of first', cell: (s) => pct(s.conversion), num: true },
        { label: 'Of previous', cell: (s) => pct(s.step_conversion), num: true },
        { label: '', cell: (s) => bar(s.count, max) },
      ], d.steps, { id: 'funnel-table' });
    });
    clear(funnel).append(h('h2', { id: 'funnel-h' }, 'Funnel'),
      ...(names.length < 2 ? [empty('A funnel needs at least two kinds of event.')] : [
        list,
        h('div', { class: 'controls' },
          steps.length < 5 ? h('button', { type: 'button', onclick: () => { steps.push(names[0]); buildFunnel(); } }, 'Add step') : null,
          h('button', { type: 'button', class: 'primary', id: 'funnel-run', onclick: run }, 'Show funnel')),
        result]));
  }

  async function tick() {
    try {
      const d = (await api('/analytics/realtime')).data;
      live.textContent = `Last ${d.windowMinutes} min: ${num(d.events)} events, ${num(d.activeUsers)} active users, ${num(d.calls)} LLM calls`;
      live.dataset.events = d.events;
    } catch (e) { live.textContent = 'Realtime: unavailable'; }
  }
  tick();
  const timer = setInterval(tick, 5000);
  stops.push(() => clearInterval(timer), () => destroyChart());
  load();
  return () => stops.forEach((f) => f());
}
