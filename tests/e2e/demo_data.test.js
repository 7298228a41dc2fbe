// tallyctl demo-data (SPEC §6): the realistic week a new user sees on the
// dashboard, read back through the HTTP API with a secret key; its
// determinism; the events volume generator; bad arguments.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, expectStatus } from './lib/stack.js';

const DAY = 86400000;
const FUNNEL = ['signup_started', 'signup', 'trial_started', 'purchase'];

let stack;
let week; // the default week, ending now
let weekFrom; // the earliest time its events may have
let weekTo; // the latest
let weekEvents;
let weekOut;

before(async () => {
  stack = await startStack();
  week = await stack.tenant('demo-week');
  weekFrom = Date.now() - 7 * DAY;
  weekOut = (await stack.ctl('demo-data', week.slug)).stdout;
  weekTo = Date.now();
  weekEvents = await stack.allEvents(week.secret);
});

after(async () => {
  if (stack) await stack.stop();
});

/** tallyctl that resolves to { code, stdout, stderr } instead of throwing on a non-zero exit. */
async function ctl(...args) {
  try {
    const { stdout, stderr } = await stack.ctl(...args);
    return { code: 0, stdout, stderr };
  } catch (err) {
    if (typeof err.code !== 'number') throw err;
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

async function get(t, path) {
  const res = await stack.get(path, { key: t.secret });
  expectStatus(stack, res, 200);
  return res.body;
}

/** Every trace of the last 7 days (and the seconds since), walking the pages. */
async function allTraces(t, query = '') {
  const out = [];
  let cursor = null;
  for (let page = 0; page < 1000; page++) {
    const q = new URLSearchParams(query);
    q.set('limit', '1000');
    q.set('from', new Date(weekFrom - DAY).toISOString());
    if (cursor) q.set('cursor', cursor);
    const body = await get(t, `/api/v1/traces?${q}`);
    out.push(...body.data);
    cursor = body.next_cursor;
    if (!cursor) return out;
  }
  throw new Error('pagination did not end');
}

const nameOf = (e) => (e.type === 'track' ? e.event : `$${e.type}`);
const count = (events, pred) => events.filter(pred).length;
const host = (url) => (url ? new URL(url).host : '');

test('the week: page views with URLs, paths, titles, referrers and user agents', () => {
  const pages = weekEvents.filter((e) => e.type === 'page');
  assert.ok(pages.length >= 3000 && pages.length <= 15000, `${pages.length} page views`);
  for (const e of pages) {
    const p = e.context && e.context.page;
    assert.ok(p, `page view without context.page: ${JSON.stringify(e)}`);
    assert.match(p.url, /^https:\/\/www\.lumen\.example\//);
    assert.ok(p.url.includes(p.path), p.url);
    assert.equal(typeof p.title, 'string');
    assert.equal(typeof p.referrer, 'string');
    assert.match(e.context.userAgent, /^Mozilla\/5\.0 /);
    assert.ok(e.anonymousId && e.sessionId, 'a visit has an anonymousId and a sessionId');
  }
  const paths = new Set(pages.map((e) => e.context.page.path));
  for (const p of ['/', '/pricing', '/signup', '/checkout', '/app']) assert.ok(paths.has(p), `no view of ${p}`);
  assert.ok([...paths].some((p) => p.startsWith('/docs/')), 'no docs page');
  assert.ok([...paths].some((p) => p.startsWith('/blog/')), 'no blog post');

  // where visits come from: search, news, typed in, the newsletter's campaign
  const referrers = pages.map((e) => host(e.context.page.referrer));
  assert.ok(referrers.includes('www.google.com'), 'no visit from Google');
  assert.ok(referrers.some((h) => ['news.ycombinator.com', 'www.theverge.com', 'techcrunch.com'].includes(h)),
    'no visit from a news site');
  assert.ok(referrers.includes(''), 'no direct visit');
  const mail = pages.filter((e) => e.context.campaign);
  assert.ok(mail.length > 0, 'no newsletter visit');
  for (const e of mail) {
    assert.equal(e.context.campaign.source, 'newsletter');
    assert.match(e.context.page.url, /[?&]utm_campaign=weekly-\d{4}-\d\d-\d\d/);
  }

  // sessions of 1 to about 8 pages, most short
  const perSession = new Map();
  for (const e of pages) perSession.set(e.sessionId, (perSession.get(e.sessionId) || 0) + 1);
  const sizes = [...perSession.values()];
  assert.ok(sizes.includes(1) && Math.max(...sizes) >= 5, `session sizes ${Math.min(...sizes)}..${Math.max(...sizes)}`);
  assert.ok(perSession.size >= 1500 && perSession.size <= 4000, `${perSession.size} sessions with page views`);
  const visitors = new Set(weekEvents.map((e) => e.anonymousId));
  assert.ok(visitors.size >= 1000 && visitors.size <= 3000, `${visitors.size} visitors`);
});

test('the week: a daily rhythm and a weekend dip', () => {
  const pages = weekEvents.filter((e) => e.type === 'page').map((e) => new Date(e.timestamp));
  const night = count(pages, (d) => d.getUTCHours() >= 2 && d.getUTCHours() < 6);
  const afternoon = count(pages, (d) => d.getUTCHours() >= 13 && d.getUTCHours() < 17);
  assert.ok(night * 2.5 < afternoon, `02-06 UTC ${night} vs 13-17 UTC ${afternoon}`);
  // a 7-day range holds 24 hours of every weekday
  const byDay = new Array(7).fill(0);
  for (const d of pages) byDay[d.getUTCDay()] += 1;
  const weekend = (byDay[0] + byDay[6]) / 2;
  const weekdays = (byDay[1] + byDay[2] + byDay[3] + byDay[4] + byDay[5]) / 5;
  assert.ok(weekend < 0.85 * weekdays, `weekend ${weekend}/day vs weekdays ${weekdays}/day`);
});

test('the week: every funnel step, fewer at each, purchases with plan, amount, currency and shops', () => {
  const counts = FUNNEL.map((name) => count(weekEvents, (e) => e.type === 'track' && e.event === name));
  for (let i = 0; i < FUNNEL.length; i++) {
    assert.ok(counts[i] > 0, `no ${FUNNEL[i]}`);
    if (i > 0) assert.ok(counts[i] < counts[i - 1], `${FUNNEL[i]} ${counts[i]} >= ${FUNNEL[i - 1]} ${counts[i - 1]}`);
  }
  const purchases = weekEvents.filter((e) => e.event === 'purchase');
  for (const e of purchases) {
    assert.ok(['starter', 'pro', 'team'].includes(e.properties.plan), JSON.stringify(e.properties));
    assert.ok(typeof e.properties.amount === 'number' && e.properties.amount > 0);
    assert.ok(['USD', 'EUR'].includes(e.properties.currency));
    assert.ok(e.userId, 'a purchase has a userId');
  }
  assert.ok(purchases.some((e) => e.shopId) && purchases.some((e) => !e.shopId), 'shopId on some purchases');
  // in order per user: every step's user did the step before, earlier
  const first = new Map();
  for (const e of [...weekEvents].reverse()) {
    if (e.type !== 'track' || !FUNNEL.includes(e.event)) continue;
    const k = `${e.userId}/${e.event}`;
    if (!first.has(k)) first.set(k, Date.parse(e.timestamp));
  }
  for (const [k, ts] of first) {
    const [user, step] = k.split('/');
    const i = FUNNEL.indexOf(step);
    if (i === 0) continue;
    const prev = first.get(`${user}/${FUNNEL[i - 1]}`);
    assert.ok(prev !== undefined && prev <= ts, `${user}: ${step} without ${FUNNEL[i - 1]} before it`);
  }
});

test('the week: identify with traits when users sign up; profiles readable', async () => {
  const identifies = weekEvents.filter((e) => e.type === 'identify');
  assert.ok(identifies.length > 0);
  const starts = weekEvents.filter((e) => e.event === 'signup_started');
  const identified = new Set(identifies.map((e) => e.userId));
  for (const e of starts) assert.ok(identified.has(e.userId), `signup_started of ${e.userId} without identify`);
  const e = identifies.find((x) => x.traits && x.traits.email);
  assert.ok(e, 'no identify with an email trait');
  const body = await get(week, `/api/v1/users/${encodeURIComponent(e.userId)}`);
  const u = body.data;
  assert.equal(u.userId, e.userId);
  assert.match(u.traits.email, /^[a-z]+\.[a-z]+\d\d@[a-z]+\.example$/);
  assert.ok(['free', 'starter', 'pro', 'team'].includes(u.traits.plan), JSON.stringify(u.traits));
  assert.equal(typeof u.traits.name, 'string');
  assert.ok(u.eventCount > 1, `${u.eventCount} events`);
  assert.ok(u.aliases.includes(e.anonymousId), 'identify links the anonymousId');
});

test('the week: returning visitors on other days', () => {
  const days = new Map();
  for (const e of weekEvents) {
    if (!days.has(e.anonymousId)) days.set(e.anonymousId, new Set());
    days.get(e.anonymousId).add(e.timestamp.slice(0, 10));
  }
  const returning = [...days.values()].filter((d) => d.size >= 2).length;
  assert.ok(returning >= 100, `${returning} visitors came back on another day`);
});

test('the week: LLM traces of the signed-up users and their web sessions, with cost', async () => {
  const traces = await allTraces(week);
  assert.ok(traces.length >= 300, `${traces.length} traces`);
  const features = new Set(traces.map((t) => t.feature));
  for (const f of ['chat', 'summarise', 'search']) assert.ok(features.has(f), `no ${f} trace`);
  assert.ok(traces.some((t) => t.callCount >= 2), 'no trace of several calls');
  assert.ok(traces.filter((t) => t.cost > 0).length >= traces.length * 0.9, 'traces without cost');
  const users = new Set(weekEvents.filter((e) => e.userId).map((e) => e.userId));
  const sessions = new Set(weekEvents.map((e) => e.sessionId));
  for (const t of traces) {
    assert.ok(users.has(t.userId), `trace ${t.traceId} of ${t.userId}, who has no events`);
    assert.ok(sessions.has(t.sessionId), `trace ${t.traceId} in session ${t.sessionId}, which has no events`);
    const start = Date.parse(t.startTime);
    const end = Date.parse(t.endTime);
    assert.ok(start >= weekFrom && end <= weekTo && start <= end, `trace ${t.traceId} at ${t.startTime}`);
  }
  // a trace's spans, priced
  const one = traces.find((t) => t.feature === 'search' && t.callCount === 2);
  assert.ok(one, 'no search trace with its two calls');
  const detail = (await get(week, `/api/v1/traces/${one.traceId}`)).data;
  assert.ok(JSON.stringify(detail).includes('search.answer'), JSON.stringify(detail).slice(0, 400));
});

test('the week: conversations with turns, and votes (mostly up) on them', async () => {
  const list = (await get(week, '/api/v1/analytics/conversations')).data;
  const chats = list.filter((c) => c.conversationId.startsWith('conv_'));
  assert.ok(chats.length > 0, JSON.stringify(list).slice(0, 300));
  assert.ok(chats.some((c) => c.turns >= 3), 'no conversation of several turns');
  assert.ok(chats.some((c) => c.votesUp > 0) && chats.some((c) => c.votesDown > 0), 'no votes on chat turns');
  assert.ok(chats.every((c) => c.cost > 0 && c.userId.startsWith('usr_')));
  const trust = (await get(week, '/api/v1/analytics/trust-score')).data;
  assert.ok(trust.votes >= 50, `${trust.votes} votes`);
  assert.ok(trust.up > trust.down && trust.down > 0, `${trust.up} up, ${trust.down} down`);
  assert.ok(trust.trustScore > 0.6 && trust.trustScore < 0.95, `trust ${trust.trustScore}`);
});

test('the week: every timestamp inside the last 7 days; the summary says what was made', () => {
  for (const e of weekEvents) {
    const ts = Date.parse(e.timestamp);
    assert.ok(ts >= weekFrom && ts <= weekTo, `${e.type} ${e.event || ''} at ${e.timestamp}`);
  }
  const span = Date.parse(weekEvents[0].timestamp) - Date.parse(weekEvents[weekEvents.length - 1].timestamp);
  assert.ok(span > 6.5 * DAY, `the events span ${span / DAY} days`);
  for (const word of ['visitors', 'page views', 'signup_started', 'purchase', 'LLM calls', 'votes']) {
    assert.ok(weekOut.includes(word), `summary without ${word}:\n${weekOut}`);
  }
  const views = /page views\s+(\d+)/.exec(weekOut);
  assert.equal(Number(views[1]), count(weekEvents, (e) => e.type === 'page'));
});

test('deterministic: the same --seed and --end make the same data; another seed does not', async () => {
  const end = new Date(Math.floor(Date.now() / 3600000) * 3600000 - 3600000).toISOString();
  const made = {};
  for (const [slug, seed] of [['det-a', '42'], ['det-b', '42'], ['det-c', '43']]) {
    const t = await stack.tenant(slug);
    const { stdout } = await stack.ctl('demo-data', slug, '--seed', seed, '--end', end);
    // the summary without the project's name and the time it took
    const summary = stdout.replace(slug, 'P').replace(/ in [\d.]+ s/, '');
    made[slug] = { t, summary, events: await stack.allEvents(t.secret) };
  }
  const strip = (e) => {
    const { receivedAt, requestId, ...rest } = e;
    return rest;
  };
  const { 'det-a': a, 'det-b': b, 'det-c': c } = made;
  assert.equal(a.summary, b.summary);
  assert.equal(a.events.length, b.events.length);
  assert.deepEqual(a.events.slice(0, 50).map(strip), b.events.slice(0, 50).map(strip));
  assert.deepEqual(a.events.map(strip), b.events.map(strip));
  for (const name of FUNNEL) {
    assert.equal(count(a.events, (e) => e.event === name), count(b.events, (e) => e.event === name));
  }
  assert.ok(Date.parse(a.events[0].timestamp) <= Date.parse(end));
  assert.notDeepEqual(a.events.slice(0, 50).map(strip), c.events.slice(0, 50).map(strip));
  assert.notEqual(a.summary, c.summary);

  // a re-run with the same seed and end stores nothing twice
  const again = await stack.ctl('demo-data', 'det-a', '--seed', '42', '--end', end);
  assert.match(again.stdout, /stored\s+0 events, 0 spans, 0 votes/);
  assert.equal((await stack.allEvents(a.t.secret)).length, a.events.length);
});

test('--events: exactly N events over the days, with K names, U users, sessions and a funnel', async () => {
  const t = await stack.tenant('volume');
  const before = Date.now();
  const { stdout } = await stack.ctl('demo-data', t.slug, '--events', '20000', '--users', '500',
    '--event-names', '10', '--days', '30');
  assert.match(stdout, /^20000 events stored/);
  const events = await stack.allEvents(t.secret);
  assert.equal(events.length, 20000);
  const names = new Map();
  for (const e of events) names.set(nameOf(e), (names.get(nameOf(e)) || 0) + 1);
  assert.equal(names.size, 10, [...names.keys()].join(' '));
  assert.ok(names.has('$page'));
  // skew: page views first, then the most frequent name far above the rarest
  const others = [...names].filter(([n]) => n !== '$page' && !FUNNEL.includes(n)).map(([, c]) => c);
  assert.ok(Math.max(...others) > 3 * Math.min(...others), `name counts ${others}`);
  for (let i = 1; i < FUNNEL.length; i++) {
    assert.ok(names.get(FUNNEL[i]) > 0 && names.get(FUNNEL[i]) < names.get(FUNNEL[i - 1]),
      `${FUNNEL[i]} ${names.get(FUNNEL[i])} vs ${FUNNEL[i - 1]} ${names.get(FUNNEL[i - 1])}`);
  }
  const times = events.map((e) => Date.parse(e.timestamp));
  const span = Math.max(...times) - Math.min(...times);
  assert.ok(span > 29 * DAY && span <= 30 * DAY, `events span ${span / DAY} days`);
  assert.ok(Math.max(...times) <= Date.now() && Math.min(...times) >= before - 30 * DAY);
  const users = new Set(events.map((e) => e.userId || e.anonymousId));
  assert.ok(users.size > 100 && users.size <= 500, `${users.size} users`);
  const perUser = new Map();
  for (const e of events) perUser.set(e.anonymousId, (perUser.get(e.anonymousId) || 0) + 1);
  const busiest = Math.max(...perUser.values());
  assert.ok(busiest > 5 * (20000 / users.size), `the busiest user has ${busiest} events`);
  const pages = events.filter((e) => e.type === 'page');
  assert.ok(pages.every((e) => e.context.page.url.startsWith('https://') && 'referrer' in e.context.page));
  assert.ok(new Set(events.map((e) => e.sessionId)).size < events.length / 2, 'sessions of several events');
});

test('bad arguments exit non-zero and say why', async () => {
  const cases = [
    [['demo-data', 'no-such-project'], /no project 'no-such-project'/],
    [['demo-data', 'demo-week', '--days', '0'], /--days must be an integer from 1/],
    [['demo-data', 'demo-week', '--events', '-1'], /--events must be an integer from 1/],
    [['demo-data', 'demo-week', '--events', 'many'], /--events must be an integer/],
    [['demo-data', 'demo-week', '--colour', 'blue'], /unknown option '--colour'/],
    [['demo-data', 'demo-week', '--seed'], /--seed needs a value/],
    [['demo-data', 'demo-week', '--end', 'yesterday'], /--end 'yesterday' is not an ISO 8601 time/],
    [['demo-data', 'demo-week', '--end', '2999-01-01T00:00:00Z'], /--end lies in the future/],
    [['demo-data'], /usage: tallyctl demo-data PROJECT/],
  ];
  for (const [args, message] of cases) {
    const r = await ctl(...args);
    assert.notEqual(r.code, 0, `${args.join(' ')} exited 0`);
    assert.match(r.stderr, message, `${args.join(' ')}: ${r.stderr}`);
  }
  // nothing was written by the refused runs
  assert.equal((await stack.allEvents(week.secret)).length, weekEvents.length);
});
