// #/llm: LLM costs. A live cost ticker, cost over time, the breakdown by
// feature, model or user, the cost flamegraph and the prompt-bloat report.
import { api, qs, session } from '../api.js';
import { h, time, clear, fill, num, money, ms, table, bar, select, chart, range, empty, failed, loading, when } from '../ui.js';

export const title = 'LLM costs';
const state = { range: '7d', granularity: 'day', groupBy: 'feature' };

/**
 * The live cost ticker: today's LLM calls and cost (UTC) from the SSE
 * stream /api/v1/stream/costs (SPEC §9, docs/realtime.md), a snapshot on
 * connect and an update each second while calls arrive. EventSource cannot
 * send headers, so the token and the project go in the query; the browser
 * reconnects by itself (Last-Event-ID). Returns a stop function.
 */
export function startCostTicker(onUpdate, onError) {
  const url = `/api/v1/stream/costs${qs({ token: session.token, project: session.project })}`;
  const source = new EventSource(url);
  const take = (ev) => {
    try {
      const d = JSON.parse(ev.data);
      onUpdate({ cost: d.totalCost, calls: d.count, features: d.features, since: d.since });
    } catch (e) { if (onError) onError(e); }
  };
  source.addEventListener('snapshot', take);
  source.addEventListener('update', take);
  source.onerror = () => { if (source.readyState === EventSource.CLOSED && onError) onError(new Error('stream closed')); };
  return () => source.close();
}

/** The flamegraph: rows of nested boxes, each as wide as its cost share. */
function flame(node, total, depth = 0) {
  const share = total > 0 ? node.value / total : 0;
  const label = `${node.name}: ${money(node.value)} (${(share * 100).toFixed(1)} %, ${num(node.calls)} calls, ${num(node.tokens)} tokens)`;
  const el = h('div', { class: `flame-node flame-d${Math.min(depth, 2)}` },
    h('span', { class: 'flame-label', title: label, tabindex: 0 }, `${node.name} ${money(node.value)}`),
    node.children && node.children.length
      ? h('div', { class: 'flame-row' }, node.children.map((c) => flame(c, node.value, depth + 1))) : null);
  el.style.width = depth === 0 ? '100%' : `${share * 100}%`;
  return el;
}

export function render(main) {
  const stops = [];
  const ticker = h('div', { class: 'ticker', id: 'live-cost', 'aria-live': 'polite' }, '…');
  const tickerNote = h('div', { class: 'muted', id: 'live-cost-note' }, 'LLM cost today (UTC), live');
  const plot = h('div', { class: 'chart', id: 'cost-chart', role: 'img', 'aria-label': 'LLM cost over time' });
  const breakdown = h('div', { id: 'cost-breakdown' });
  const flameEl = h('div', { class: 'flame', id: 'flamegraph' });
  const prompts = h('div', { id: 'prompts' });

  main.append(h('h1', {}, 'LLM costs'),
    h('div', { class: 'controls' },
      select('Range', 'llm-range', [['24h', 'Last 24 hours'], ['7d', 'Last 7 days'], ['30d', 'Last 30 days']], state.range,
        (e) => { state.range = e.target.value; load(); }),
      select('Granularity', 'llm-gran', [['hour', 'Hour'], ['day', 'Day']], state.granularity,
        (e) => { state.granularity = e.target.value; loadChart(); }),
      h('div', { class: 'live' }, ticker, tickerNote)),
    h('section', { class: 'panel' }, h('h2', {}, 'Cost over time'), plot),
    h('section', { class: 'panel' }, h('h2', {}, 'Breakdown'),
      h('div', { class: 'controls' }, select('Group by', 'llm-group', [['feature', 'Feature'], ['model', 'Model'], ['user', 'User']], state.groupBy,
        (e) => { state.groupBy = e.target.value; loadBreakdown(); })),
      breakdown),
    h('section', { class: 'panel' }, h('h2', {}, 'Flamegraph: project → feature → model'), flameEl),
    h('section', { class: 'panel' }, h('h2', {}, 'Prompt bloat'), prompts));

  stops.push(startCostTicker(
    (d) => { ticker.textContent = money(d.cost); ticker.dataset.cost = d.cost; tickerNote.textContent = `LLM cost today (UTC), live: ${num(d.calls)} calls`; },
    () => { tickerNote.textContent = 'Live cost unavailable'; }));

  let destroyChart = () => {};
  stops.push(() => destroyChart());
  async function loadChart() {
    destroyChart();
    clear(plot).append(loading());
    try {
      const d = (await api('/analytics/timeseries', { query: { ...range(state.range), metric: 'cost', granularity: state.granularity } })).data;
      clear(plot);
      if (!d.length) { plot.append(empty('No LLM calls in this range.')); return; }
      destroyChart = chart(plot, d.map((p) => Date.parse(p.timestamp)), [{ label: 'Cost (USD)', values: d.map((p) => p.value), fmt: money }]);
    } catch (e) { if (e.status !== 401) clear(plot).append(failed(e)); }
  }
  function loadBreakdown() {
    fill(breakdown, async () => {
      const rows = (await api('/analytics/cost-breakdown', { query: { ...range(state.range), groupBy: state.groupBy } })).data;
      const max = Math.max(0, ...rows.map((r) => r.totalCost));
      return table([
        { label: state.groupBy[0].toUpperCase() + state.groupBy.slice(1), cell: (r) => r.name },
        { label: 'Cost', cell: (r) => h('span', { dataset: { cost: r.totalCost } }, money(r.totalCost)), num: true },
        { label: 'Share', cell: (r) => bar(r.totalCost, max) },
        { label: 'Tokens', cell: (r) => num(r.totalTokens), num: true },
        { label: 'Calls', cell: (r) => num(r.callCount), num: true },
        { label: 'Avg latency', cell: (r) => ms(r.avgLatency), num: true },
        { label: 'Errors', cell: (r) => num(r.errorCount), num: true },
      ], rows, { emptyText: 'No LLM calls in this range.', id: 'cost-breakdown-table' });
    });
  }
  function loadFlame() {
    fill(flameEl, async () => {
      const d = (await api('/analytics/flamegraph', { query: range(state.range) })).data;
      if (!d || !d.value) return empty('No LLM cost in this range.');
      return flame(d, d.value);
    });
  }
  function loadPrompts() {
    fill(prompts, async () => {
      const d = (await api('/analytics/prompts', { query: range(state.range) })).data;
      return h('div', {},
        h('h3', {}, 'Calls with bloated prompts'),
        table([
          { label: 'When', cell: (r) => time(r.timestamp) },
          { label: 'Feature / model', cell: (r) => `${r.feature} / ${r.model}` },
          { label: 'Input tokens', cell: (r) => num(r.inputTokens), num: true },
          { label: 'Median', cell: (r) => num(r.medianInputTokens), num: true },
          { label: '× median', cell: (r) => num(r.bloatRatio), num: true },
          { label: 'In/out', cell: (r) => num(r.ioRatio), num: true },
          { label: 'Suggestion', cell: (r) => (r.suggestions || []).join(' ') },
          { label: 'Trace', cell: (r) => h('a', { href: `#/traces/${encodeURIComponent(r.traceId)}` }, 'open') },
        ], (d.flagged || []).slice(0, 20), { emptyText: 'No bloated prompts found.', id: 'prompts-table' }),
        h('h3', {}, 'Near-duplicate prompts'),
        table([
          { label: 'Calls', cell: (c) => num(c.size), num: true },
          { label: 'Feature', cell: (c) => c.feature },
          { label: 'Example', cell: (c) => c.representative },
        ], (d.clusters || []).slice(0, 20), { emptyText: 'No near-duplicate prompts.' }));
    });
  }
  function load() { loadChart(); loadBreakdown(); loadFlame(); loadPrompts(); }
  load();
  return () => stops.forEach((f) => f());
}
