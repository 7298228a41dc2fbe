// #/feedback: trust score (GET /api/v1/analytics/trust-score), votes over
// time, and conversations (GET /api/v1/analytics/conversations).
import { api } from '../api.js';
import { h, time, fill, num, money, pct, when, table, card, chart, clear, empty, failed, loading, range } from '../ui.js';

export const title = 'Feedback';

export function render(main) {
  const score = h('div', { id: 'trust' });
  const plot = h('div', { class: 'chart', id: 'votes-chart', role: 'img', 'aria-label': 'Votes per day' });
  const users = h('div', {});
  const convs = h('div', { id: 'conversations' });
  main.append(h('h1', {}, 'Feedback and trust'), score,
    h('section', { class: 'panel' }, h('h2', {}, 'Votes per day'), plot),
    h('div', { class: 'grid2' },
      h('section', { class: 'panel' }, h('h2', {}, 'Trust by user'), users),
      h('section', { class: 'panel' }, h('h2', {}, 'Conversations'), convs)));
  const r = range('30d');
  fill(score, async () => {
    const d = (await api('/analytics/trust-score', { query: r })).data;
    const t = d.trend7d || {};
    fill(users, async () => table([
      { label: 'User', cell: (u) => u.userId },
      { label: 'Trust', cell: (u) => pct(u.trustScore), num: true },
      { label: 'Up', cell: (u) => num(u.up), num: true },
      { label: 'Down', cell: (u) => num(u.down), num: true },
    ], (d.users || []).slice(0, 25), { emptyText: 'No votes yet.' }));
    if (!d.votes) return empty('No votes yet: send them with POST /api/v1/vote.');
    return h('div', { class: 'cards' },
      card('Trust score', pct(d.trustScore), 'trustScore'),
      card('Votes', num(d.votes), 'votes'), card('Up', num(d.up), 'up'), card('Down', num(d.down), 'down'),
      card('7-day trend', `${t.change >= 0 ? '+' : ''}${((t.change || 0) * 100).toFixed(1)} pts (${t.direction || 'flat'})`, 'trend'));
  });
  let destroy = () => {};
  (async () => {
    clear(plot).append(loading());
    try {
      const c = (await api('/analytics/conversations', { query: { ...r, limit: 200 } })).data;
      clear(plot);
      // votes per day from the conversations' up and down counts
      const days = new Map();
      for (const x of c) {
        const day = Date.parse(x.firstTime.slice(0, 10));
        const v = days.get(day) || [0, 0];
        v[0] += x.votesUp; v[1] += x.votesDown;
        days.set(day, v);
      }
      const keys = [...days.keys()].sort((a, b) => a - b);
      if (!keys.length) plot.append(empty('No conversations in the last 30 days.'));
      else destroy = chart(plot, keys, [
        { label: 'Up votes', values: keys.map((k) => days.get(k)[0]) },
        { label: 'Down votes', values: keys.map((k) => days.get(k)[1]) }]);
      fill(convs, async () => table([
        { label: 'Last', cell: (x) => time(x.lastTime) },
        { label: 'User', cell: (x) => x.userId },
        { label: 'Turns', cell: (x) => num(x.turns), num: true },
        { label: 'Votes', cell: (x) => `+${x.votesUp} / −${x.votesDown}`, num: true },
        { label: 'Models', cell: (x) => (x.models || []).join(', ') },
        { label: 'Cost', cell: (x) => money(x.cost), num: true },
      ], c.slice(0, 25), { emptyText: 'No conversations yet.', id: 'conversations-table' }));
    } catch (e) { if (e.status !== 401) clear(plot).append(failed(e)); }
  })();
  return () => destroy();
}
