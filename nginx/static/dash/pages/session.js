// #/sessions/<id>: a session's traces, events and votes in time order
// (GET /api/v1/sessions/{id}).
import { api } from '../api.js';
import { h, time, fill, num, money, when, table } from '../ui.js';

export const title = 'Session';

function what(it) {
  if (it.traceId && it.spanCount !== undefined) return h('a', { href: `#/traces/${encodeURIComponent(it.traceId)}` }, `trace ${it.name || it.traceId}`);
  if (it.value !== undefined && it.type === undefined) return `vote ${it.value > 0 ? '+1' : it.value}`;
  return `${it.type || 'item'}${it.event ? `: ${it.event}` : ''}${it.properties && it.properties.path ? ` ${it.properties.path}` : ''}`;
}

export function render(main, { params }) {
  const body = h('div', {});
  main.append(h('p', {}, h('a', { href: '#/traces' }, '← Traces')), body);
  fill(body, async () => {
    const s = (await api(`/sessions/${encodeURIComponent(params[0] || '')}`)).data;
    return h('div', {},
      h('h1', {}, 'Session'), h('p', { class: 'muted' }, h('code', {}, s.sessionId)),
      h('div', { class: 'cards' }, [['traceCount', 'Traces'], ['eventCount', 'Events'], ['voteCount', 'Votes'], ['totalTokens', 'Tokens']].map(([k, label]) =>
        h('div', { class: 'card' }, h('div', { class: 'card-label' }, label), h('div', { class: 'card-value' }, num(s[k])))),
        h('div', { class: 'card' }, h('div', { class: 'card-label' }, 'Cost'), h('div', { class: 'card-value' }, money(s.cost)))),
      h('section', { class: 'panel' }, table([
        { label: 'When', cell: (it) => time(it.timestamp || it.startTime) },
        { label: 'What', cell: what },
        { label: 'User', cell: (it) => it.userId || it.anonymousId || '' },
      ], s.items, { emptyText: 'This session is empty.', id: 'session-items' })));
  });
}
