// SPEC §5.3 insights through the real stack: datasets of
// fixtures/insights_dataset.js posted with explicit timestamps, generated
// for a fixed clock by POST /api/v1/insights/generate and by
// `tallyctl insights generate --all`, read back by GET /api/v1/insights.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, expectStatus, expectError } from './lib/stack.js';
import * as D from './fixtures/insights_dataset.js';

const NOW = D.clock();
let stack;
const t = {};          // tenants by role
const data = {};       // their datasets

async function post(tenant, events) {
  for (let i = 0; i < events.length; i += 1000) {
    const res = await stack.post('/api/v1/events', { events: events.slice(i, i + 1000) }, { key: tenant.ingest });
    expectStatus(stack, res, 202);
    assert.equal(res.body.accepted, Math.min(1000, events.length - i));
  }
}

async function generate(tenant, body = { now: D.iso(NOW) }) {
  const res = await stack.post('/api/v1/insights/generate', body, { key: tenant.secret });
  expectStatus(stack, res, 200);
  assert.equal(res.body.generated, res.body.data.length);
  return res.body;
}

async function list(tenant, query = '') {
  const res = await stack.get(`/api/v1/insights?limit=1000${query}`, { key: tenant.secret });
  expectStatus(stack, res, 200);
  return res.body.data;
}

const of = (rows, kind) => rows.filter((r) => r.kind === kind);
const bySubject = (rows) => Object.fromEntries(rows.map((r) => [r.subject, r]));

before(async () => {
  stack = await startStack();
  for (const role of ['flat', 'planted', 'trend', 'summary', 'other']) t[role] = await stack.tenant(`ins-${role}`);
  data.flat = D.flat(NOW);
  data.planted = D.planted(NOW);
  data.trend = D.trend(NOW);
  data.summary = D.summary(NOW);
  await post(t.flat, data.flat);
  await post(t.planted, data.planted.events);
  await post(t.trend, data.trend.events);
  await post(t.summary, data.summary.events);
});

after(async () => {
  if (stack) await stack.stop();
});

test('(a) flat data: no anomaly and no trend, a summary of no change', async () => {
  const out = await generate(t.flat);
  assert.deepEqual(out.data.map((r) => r.kind), ['summary'], JSON.stringify(out.data, null, 1));
  const s = out.data[0];
  assert.equal(s.subject, 'daily');
  assert.equal(s.periodStart, D.iso(D.dayStart(NOW) - D.DAY));
  assert.equal(s.periodEnd, D.iso(D.dayStart(NOW)));
  assert.equal(s.createdAt, D.iso(NOW));
  assert.deepEqual(s.data.events, { value: 6 * 24, previous: 6 * 24, changePct: 0 });
  assert.deepEqual(s.data.users, { value: 5, previous: 5, changePct: 0 });
  assert.deepEqual(s.data.calls, { value: 48, previous: 48, changePct: 0 });
  assert.equal(s.data.cost.valueNusd, 24 * D.FLAT.costPerHourNusd);
  assert.equal(s.title, `${D.date(D.dayStart(NOW) - D.DAY)}: 144 events (\u00b10 % vs the day before), 5 users (\u00b10 %), ` +
    '48 LLM calls (\u00b10 %), $0.48 LLM cost (\u00b10 %)');
  assert.deepEqual(await list(t.flat), out.data, 'what was generated is what is stored');
});

test('(b) a planted anomaly: exactly the 10x hour and the cost spike, with their numbers', async () => {
  const out = await generate(t.planted);
  const anomalies = of(out.data, 'anomaly');
  assert.equal(anomalies.length, 2, JSON.stringify(anomalies, null, 1));
  assert.deepEqual(of(out.data, 'trend'), [], 'one unusual hour is no weekly trend');
  const a = bySubject(anomalies);
  const ev = a.events;
  const want = data.planted.expected;
  assert.equal(ev.periodStart, D.iso(data.planted.eventSpikeAt));
  assert.equal(ev.periodEnd, D.iso(data.planted.eventSpikeAt + D.HOUR));
  for (const k of ['value', 'median', 'mad', 'lower', 'upper', 'direction']) assert.equal(ev.data[k], want.events[k], `events ${k}`);
  assert.deepEqual(ev.data.history, Array(14).fill(6));
  assert.equal(ev.data.unit, 'events');
  const hh = D.iso(data.planted.eventSpikeAt).slice(11, 16);
  assert.equal(ev.title, `Events spike: 60 in the hour from ${hh} UTC on ${D.date(data.planted.eventSpikeAt)}, ` +
    'against a usual 6 (band 6 to 6)');
  const cost = a.cost;
  assert.equal(cost.periodStart, D.iso(data.planted.costSpikeAt));
  for (const k of ['value', 'valueNusd', 'median', 'mad', 'direction']) assert.equal(cost.data[k], want.cost[k], `cost ${k}`);
  assert.equal(cost.data.unit, 'usd');
  assert.match(cost.title, /^LLM cost spike: \$0\.20 in the hour from .* against a usual \$0\.02 \(band \$0\.02 to \$0\.02\)$/);
});

test('(c) trends: +60 % is one, +10 % is none; features, models and cost too', async () => {
  const out = await generate(t.trend);
  const trends = bySubject(of(out.data, 'trend'));
  assert.deepEqual(Object.keys(trends).sort(), Object.keys(data.trend.expected).sort(), JSON.stringify(trends, null, 1));
  for (const [subject, want] of Object.entries(data.trend.expected)) {
    const got = trends[subject];
    assert.equal(got.periodStart, data.trend.period.start, subject);
    assert.equal(got.periodEnd, data.trend.period.end, subject);
    for (const k of ['metric', 'value', 'previous', 'changePct', 'valueNusd', 'previousNusd']) {
      if (want[k] !== undefined) assert.equal(got.data[k], want[k], `${subject} ${k}`);
    }
    if (want.title) assert.equal(got.title, want.title, subject);
  }
  for (const s of data.trend.none) assert.equal(trends[s], undefined, `${s} is no trend`);
  assert.equal(trends['feature:chat'].data.cost.valueNusd, 300000000, 'a feature trend carries its cost');
  assert.deepEqual(of(out.data, 'anomaly'), [], 'a handful of events an hour is nothing unusual');
});

test('(d) summary: yesterday against the day before, worked out by hand', async () => {
  const out = await generate(t.summary);
  const [s] = of(out.data, 'summary');
  const want = data.summary.expected;
  assert.equal(s.periodStart, data.summary.period.start);
  assert.equal(s.periodEnd, data.summary.period.end);
  assert.deepEqual(s.data, want.data);
  assert.equal(s.title, want.title);
  assert.deepEqual(of(out.data, 'anomaly'), [], 'three days of data are no history to judge an hour by');
});

test('(e) generating again for the same clock gives identical rows, no duplicates', async () => {
  for (const role of ['flat', 'planted', 'trend', 'summary']) {
    const first = await list(t[role]);
    const again = await generate(t[role]);
    const second = await list(t[role]);
    assert.deepEqual(second, first, role);
    assert.equal(second.length, again.generated, `${role}: one row per insight`);
    const keys = second.map((r) => `${r.kind}|${r.subject}|${r.periodStart}`);
    assert.equal(new Set(keys).size, keys.length, `${role}: unique (kind, subject, period)`);
  }
  // an hour later: the planted hours are still within the last 24 and keep their rows (and ids)
  const before = bySubject(of(await list(t.planted), 'anomaly'));
  const later = await generate(t.planted, { now: NOW + D.HOUR });
  const after = bySubject(of(later.data, 'anomaly'));
  assert.deepEqual(Object.keys(after).sort(), ['cost', 'events']);
  for (const s of ['cost', 'events']) {
    assert.equal(after[s].id, before[s].id, `${s} replaced in place`);
    assert.equal(after[s].createdAt, D.iso(NOW + D.HOUR));
  }
  await generate(t.planted);    // back to the file's clock for (f)
});

test('(f) tallyctl insights generate --all --now does what POST does', async () => {
  const roles = ['flat', 'planted', 'trend', 'summary', 'other'];
  const snap = {};
  for (const r of roles) snap[r] = await list(t[r]);
  const { stdout, stderr } = await stack.ctl('insights', 'generate', '--all', '--now', D.iso(NOW));
  for (const r of roles) assert.deepEqual(await list(t[r]), snap[r], r);
  const total = roles.reduce((n, r) => n + snap[r].length, 0);
  assert.equal(stdout.trim().split('\n').length, total, stdout);
  assert.match(stderr, /ins-planted: 3 insights/);
  // one project by slug, with the clock as epoch milliseconds
  await stack.ctl('insights', 'generate', 'ins-trend', '--now', String(NOW));
  assert.deepEqual(await list(t.trend), snap.trend);
  const shown = await stack.ctl('insights', 'list', 'ins-planted', '--kind', 'anomaly');
  assert.equal(shown.stdout.trim().split('\n').length, 3, 'a header and two anomalies');
  await assert.rejects(stack.ctl('insights', 'generate', 'no-such-project'));
  await assert.rejects(stack.ctl('insights', 'generate', '--all', '--now', 'yesterday'));
  await assert.rejects(stack.ctl('insights', 'generate'));
});

test('(g) tenants see their own insights; an ingest key can neither list nor generate', async () => {
  assert.deepEqual(await list(t.other), [], 'a project without data has no insights');
  const out = await generate(t.other);
  assert.equal(out.generated, 0);
  const mine = await list(t.planted);
  const ids = new Set(mine.map((r) => r.id));
  for (const role of ['flat', 'trend', 'summary']) {
    for (const r of await list(t[role])) assert.ok(!ids.has(r.id), `${role} row ${r.id} is its own`);
  }
  expectError(stack, await stack.get('/api/v1/insights', { key: t.planted.ingest }), 403, 'forbidden');
  expectError(stack, await stack.post('/api/v1/insights/generate', {}, { key: t.planted.ingest }), 403, 'forbidden');
  expectError(stack, await stack.get('/api/v1/insights'), 401, 'missing_credentials');
  expectError(stack, await stack.get('/api/v1/insights', { key: t.other.secret, headers: { 'X-Project-Id': 'ins-planted' } }),
    403, 'forbidden');
  assert.deepEqual(await list(t.planted), mine, 'nobody else changed them');
});

test('list filters, pages and refuses bad input', async () => {
  const all = await list(t.trend);
  assert.ok(all.length >= 6);
  for (let i = 1; i < all.length; i++) {
    const a = all[i - 1];
    const b = all[i];
    assert.ok(a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id), 'newest first');
  }
  const trends = await list(t.trend, '&kind=trend');
  assert.deepEqual(trends, all.filter((r) => r.kind === 'trend'));
  const since = await list(t.trend, `&from=${encodeURIComponent(data.summary.period.start)}`);
  assert.deepEqual(since, all.filter((r) => r.periodStart >= data.summary.period.start));
  const paged = [];
  let cursor = '';
  for (let page = 0; page < 100; page++) {
    const res = await stack.get(`/api/v1/insights?limit=2${cursor}`, { key: t.trend.secret });
    expectStatus(stack, res, 200);
    paged.push(...res.body.data);
    if (!res.body.next_cursor) break;
    cursor = `&cursor=${encodeURIComponent(res.body.next_cursor)}`;
  }
  assert.deepEqual(paged, all);
  const bad = async (p) => expectError(stack, await stack.get(p, { key: t.trend.secret }), 400);
  await bad('/api/v1/insights?kind=bogus');
  await bad('/api/v1/insights?limit=0');
  await bad('/api/v1/insights?limit=1001');
  await bad('/api/v1/insights?cursor=zz');
  await bad('/api/v1/insights?from=yesterday');
  const badGen = async (body) => expectError(stack,
    await stack.post('/api/v1/insights/generate', body, { key: t.trend.secret }), 400, 'validation_failed');
  await badGen({ now: 'yesterday' });
  await badGen({ now: 1 });
  await badGen({ now: Date.now() + 2 * D.DAY });
  await badGen({ now: 1.5 });
  await badGen({ when: D.iso(NOW) });
  await badGen([]);
  assert.deepEqual(await list(t.trend), all, 'a refused request changes nothing');
});

test('a trend no longer found for the same period is removed when generating again', async () => {
  await post(t.trend, data.trend.damp);
  const out = await generate(t.trend);
  const subjects = of(out.data, 'trend').map((r) => r.subject);
  assert.ok(!subjects.includes('event:signup'), '70 → 80 is +14 %');
  const stored = of(await list(t.trend), 'trend').map((r) => r.subject).sort();
  assert.deepEqual(stored, subjects.sort(), 'the stored trends are exactly the ones found now');
});

test('hostile names: quotes, SQL and 4-byte characters stay whole in subject and data', async () => {
  const h = await stack.tenant('ins-hostile');
  const name = `"'; DROP TABLE insights; --\\${'\u{1F600}'.repeat(170)}`;
  const day0 = D.dayStart(NOW);
  await post(h, Array.from({ length: 25 }, (_, i) => ({ event: name, userId: 'x', timestamp: D.iso(day0 - D.DAY - i * 60000) })));
  const out = await generate(h);
  const [tr] = of(out.data, 'trend');
  assert.equal(tr.subject, `event:${name}`, 'the subject keeps all 200 characters');
  assert.equal(tr.data.name, name);
  assert.equal(tr.data.changePct, null, 'nothing the week before: no ratio');
  // the title keeps the whole characters of the name's first 100 bytes: 28 ASCII, 18 emoji
  let cut = '';
  for (const ch of name) {
    if (Buffer.byteLength(cut + ch) > 100) break;
    cut += ch;
  }
  assert.equal(cut, `"'; DROP TABLE insights; --\\${'\u{1F600}'.repeat(18)}`);
  assert.equal(tr.title, `Event "${cut}\u2026": 25 in the last 7 days, new (none the 7 days before)`);
  assert.deepEqual((await list(h, '&kind=trend')).map((r) => r.subject), [`event:${name}`]);
  expectError(stack, await stack.get(`/api/v1/insights?kind=${encodeURIComponent("trend' OR 1=1 --")}`, { key: h.secret }), 400);
});
