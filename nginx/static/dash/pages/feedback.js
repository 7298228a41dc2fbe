// #/feedback: trust score (GET /api/v1/analytics/trust-score), its trend
// day by day, and conversations (GET /api/v1/analytics/conversations).
import { api } from '../api.js';
import { h, time, fill, num, money, pct, when, table, card, chart, clear, empty, failed, loading, range } from '../ui.js';

export const title = 'Feedback';

export function render(main) {
  const score = h('div', { id: 'trust' });
  const plot = h('div', { class: 'chart', id: 'votes-chart', role: 'img', 'aria-label': 'Trust score by day' });
  const users = h('div', {});
  const convs = h('div', { id: 'conversations' });
  main.append(h('h1', {}, 'Feedback and trust'), score,
    h('section', { class: 'panel' }, h('h2', {}, 'Trust score by day (trailing 30 days)'), plot),
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
  // the trend: the trust score as it stood at the end of each of the last
  // 14 days, over the 30 days before (one trust-score call a day)
  (async () => {
    clear(plot).append(loading());
    try {
      const day = 86400e3;
      const today = Math.floor(Date.now() / day) * day;
      const ends = Array.from({ length: 14 }, (_, i) => today - (13 - i) * day + day);
      const points = await Promise.all(ends.map((t) => api('/analytics/trust-score', {
        query: { from: new Date(t - 30 * day).toISOString(), to: new Date(Math.min(t, Date.now())).toISOString() },
      }).then((r) => r.data)));
      clear(plot);
      if (!points.some((p) => p.votes)) plot.append(empty('No votes in the last 44 days.'));
      else destroy = chart(plot, ends.map((t) => t - day), [
        { label: 'Trust score', values: points.map((p) => (p.votes ? p.trustScore : null)), fmt: pct },
        { label: 'Votes (30 days)', values: points.map((p) => p.votes), scale: 'y2' }]);
    } catch (e) { if (e.status !== 401) clear(plot).append(failed(e)); }
  })();
  fill(convs, async () => {
    const c = (await api('/analytics/conversations', { query: r })).data;
    return table([
      { label: 'Last', cell: (x) => time(x.lastTime) },
      { label: 'User', cell: (x) => x.userId },
      { label: 'Turns', cell: (x) => num(x.turns), num: true },
      { label: 'Votes', cell: (x) => `+${x.votesUp} / −${x.votesDown}`, num: true },
      { label: 'Models', cell: (x) => (x.models || []).join(', ') },
      { label: 'Cost', cell: (x) => money(x.cost), num: true },
    ], c.slice(0, 25), { emptyText: 'No conversations yet.', id: 'conversations-table' });
  });
  return () => destroy();
}
