// Small DOM helpers: element building, formatting, states, tables, charts.
// No innerHTML with data: text goes in through textContent only.

/** h('div', {class: 'x', onclick: f}, child, 'text', [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

const nf = new Intl.NumberFormat('en-US');
export const num = (n) => (n === null || n === undefined ? '–' : nf.format(Math.round(n * 100) / 100));
export function money(n) {
  if (n === null || n === undefined) return '–';
  if (n === 0) return '$0.00';
  const d = Math.abs(n) >= 1 ? 2 : Math.abs(n) >= 0.01 ? 4 : 6;
  return '$' + Number(n).toFixed(d);
}
export const pct = (f) => (f === null || f === undefined ? '–' : `${(f * 100).toFixed(1)} %`);
export const ms = (v) => (v === null || v === undefined ? '–' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);
export function when(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toISOString().replace('T', ' ').slice(0, 19);
}

export const loading = (what = 'Loading…') => h('p', { class: 'state loading', role: 'status' }, what);
export const empty = (what) => h('p', { class: 'state empty' }, what);
export function failed(err) {
  return h('p', { class: 'state error', role: 'alert' },
    `Could not load: ${err && err.message ? err.message : err}`);
}

/** Fill el with the result of an async function, showing loading and error states. */
export async function fill(el, fn) {
  clear(el).append(loading());
  try {
    const node = await fn();
    clear(el).append(node);
  } catch (e) {
    if (e && e.status === 401) return;
    clear(el).append(failed(e));
  }
}

/** A horizontal bar for a table cell: a share of max. */
export function bar(value, max) {
  const b = h('span', { class: 'bar', 'aria-hidden': 'true' });
  b.style.width = `${max > 0 ? Math.max(0.5, (100 * value) / max) : 0}%`;
  return h('span', { class: 'barcell' }, b);
}

/**
 * A table: cols = [{label, cell: row => node|text, num: bool}].
 * rows = []; empty shows a message.
 */
export function table(cols, rows, { caption, emptyText = 'Nothing here yet.', id } = {}) {
  if (!rows || !rows.length) return empty(emptyText);
  return h('div', { class: 'tablewrap' },
    h('table', { id },
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, cols.map((c) => h('td', { class: c.num ? 'num' : null }, c.cell(r))))))));
}

export function card(label, value, key) {
  return h('div', { class: 'card', dataset: key ? { stat: key } : {} },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value' }, value));
}

export function select(label, id, options, value, onchange) {
  const s = h('select', { id, onchange }, options.map(([v, t]) => h('option', { value: v }, t)));
  s.value = value;
  return h('span', { class: 'field' }, h('label', { for: id }, label), s);
}

const PALETTE = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed'];

/**
 * A uPlot time chart in el. times: epoch ms; series: [{label, values, fmt}].
 * Resized with its container. Returns a destroy function.
 */
export function chart(el, times, series, { height = 260, title } = {}) {
  clear(el);
  if (!window.uPlot) { el.append(failed('chart library missing')); return () => {}; }
  const data = [times.map((t) => t / 1000), ...series.map((s) => s.values)];
  const width = () => Math.max(280, el.clientWidth || 600);
  const opts = {
    title, width: width(), height,
    series: [{}].concat(series.map((s, i) => ({
      label: s.label, stroke: PALETTE[i % PALETTE.length], width: 2,
      fill: i === 0 ? 'rgba(37,99,235,0.08)' : undefined,
      value: (u, v) => (v === null || v === undefined ? '–' : (s.fmt || num)(v)),
      scale: s.scale || 'y',
    }))),
    axes: [{}].concat(series.some((s) => s.scale === 'y2')
      ? [{ scale: 'y', values: (u, vals) => vals.map((v) => (series[0].fmt || num)(v)), size: 70 },
         { scale: 'y2', side: 1, grid: { show: false }, size: 60 }]
      : [{ values: (u, vals) => vals.map((v) => (series[0].fmt || num)(v)), size: 70 }]),
    scales: { x: { time: true } },
    // the tick labels drawn, as data attributes: the tests read them (the
    // canvas itself has no text to query)
    hooks: { draw: [(u) => {
      el.dataset.xTicks = (u.axes[0]._values || []).filter(Boolean).join('|');
      el.dataset.yTicks = (u.axes[1]._values || []).filter(Boolean).join('|');
    }] },
  };
  const u = new window.uPlot(opts, data, el);
  const ro = new ResizeObserver(() => u.setSize({ width: width(), height }));
  ro.observe(el);
  return () => { ro.disconnect(); u.destroy(); };
}

/** from/to for a range name relative to now. */
export function range(name) {
  const hours = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30 }[name] || 24 * 7;
  const to = Date.now();
  return { from: new Date(to - hours * 3600e3).toISOString(), to: new Date(to).toISOString() };
}

/** when() as a <time> element that does not wrap, for table cells. */
export function time(iso) {
  return h('time', { datetime: iso || null, class: 'nowrap' }, when(iso));
}
