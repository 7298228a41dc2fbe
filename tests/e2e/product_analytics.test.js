// SPEC §5.3, the product side: stats, timeseries (with `tz` across a DST
// change) and breakdown over the fixed dataset of fixtures/product_dataset.js
// against its hand-worked answers; a second project holding the same ids and
// an empty one show nothing of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startStack, expectStatus, expectError } from './lib/stack.js';
import * as D from './fixtures/product_dataset.js';

let stack;
let a;
let b;
let empty;

async function read(t, path) {
  const res = await stack.get(path, { key: t.secret });
  expectStatus(stack, res, 200);
  return res.body;
}

const pick = (rows, fields) => rows.map((r) => Object.fromEntries(fields.map((f) => [f, r[f]])));

before(async () => {
  stack = await startStack();
  a = await stack.tenant('product-a');
  b = await stack.tenant('product-b');
  empty = await stack.tenant('product-empty');
  let res = await stack.post('/api/v1/events', D.EVENTS, { key: a.ingest });
  expectStatus(stack, res, 202);
  // project b: the same ids and names, only the first three events
  res = await stack.post('/api/v1/events', D.EVENTS.slice(0, 3), { key: b.ingest });
  expectStatus(stack, res, 202);
});

after(async () => {
  if (stack) await stack.stop();
});

test('stats: events, users, sessions, page views and top events', async () => {
  const { data } = await read(a, `/api/v1/analytics/stats?${D.RANGE}`);
  assert.equal(data.events, D.STATS.events);
  assert.equal(data.users, D.STATS.users);
  assert.equal(data.sessions, D.STATS.sessions);
  assert.equal(data.pageviews, D.STATS.pageviews);
  assert.deepEqual(data.topEvents, D.STATS.topEvents);
  assert.equal(data.llmCalls, 0);
  assert.equal(data.votes, 0);
  assert.equal(data.trustScore, 0.5);
});

test('stats through the seed path /api/stats and with a range of one hour', async () => {
  const res = await stack.get(`/api/stats?${D.RANGE}`, { key: a.secret });
  expectStatus(stack, res, 200);
  assert.equal(res.body.data.events, D.STATS.events);
  // 03-29 00:00..01:00 UTC holds only signup_started
  const hour = (await read(a, '/api/v1/analytics/stats?from=2026-03-29T00:00:00Z&to=2026-03-29T01:00:00Z')).data;
  assert.equal(hour.events, 1);
  assert.deepEqual(hour.topEvents, [{ event: 'signup_started', count: 1 }]);
});

test('ranges of whole weeks read the week rows and agree with the days', async () => {
  // Monday 03-16 to Monday 04-06: three whole weeks, the data in the middle two
  const wide = 'from=2026-03-16T00:00:00Z&to=2026-04-06T00:00:00Z';
  const s = (await read(a, `/api/v1/analytics/stats?${wide}`)).data;
  assert.deepEqual([s.events, s.users, s.sessions, s.pageviews], [9, 4, 4, 4]);
  assert.deepEqual(s.topEvents, D.STATS.topEvents);
  // a range that starts and ends mid-week: hours, days, one week, days, hours
  const odd = 'from=2026-03-20T05:00:00Z&to=2026-04-02T07:00:00Z';
  const o = (await read(a, `/api/v1/analytics/stats?${odd}`)).data;
  assert.deepEqual([o.events, o.users, o.sessions], [9, 4, 4]);
  const users = (await read(a, `/api/v1/analytics/breakdown?by=event&metric=users&${wide}`)).data;
  assert.deepEqual(pick(users, ['key', 'value']).slice(0, 2), [{ key: '$pageview', value: 2 }, { key: 'purchase', value: 2 }]);
  const weeks = (await read(a, `/api/v1/analytics/timeseries?metric=users&granularity=week&${wide}`)).data;
  // week of 03-23: a1, u1, a2 (events 1-6); week of 03-30: u1, u2 (7-9)
  assert.deepEqual(weeks.map((r) => r.value), [0, 3, 2]);
});

test('timeseries in UTC days, zero-filled', async () => {
  const body = await read(a, `/api/v1/analytics/timeseries?metric=events&granularity=day&${D.RANGE}`);
  assert.equal(body.granularity, 'day');
  assert.equal(body.tz, 'UTC');
  assert.deepEqual(pick(body.data, ['timestamp', 'events']), D.UTC_DAYS);
  assert.deepEqual(body.data.map((r) => r.value), D.UTC_DAYS.map((r) => r.events));
});

test('timeseries in Europe/Berlin days: the 23-hour day of the DST change', async () => {
  for (const metric of ['events', 'users', 'sessions']) {
    const body = await read(a, `/api/v1/analytics/timeseries?metric=${metric}&granularity=day&tz=Europe/Berlin&${D.BERLIN_RANGE}`);
    assert.equal(body.tz, 'Europe/Berlin');
    // distinct counts come with the users and sessions metrics
    const fields = metric === 'events' ? ['timestamp', 'local', 'events'] : ['timestamp', 'local', 'events', metric];
    assert.deepEqual(pick(body.data, fields), pick(D.BERLIN_DAYS, fields), metric);
    assert.deepEqual(body.data.map((r) => r.value), D.BERLIN_DAYS.map((r) => r[metric]), metric);
  }
});

test('timeseries in Europe/Berlin hours across the missing hour', async () => {
  const body = await read(a, `/api/v1/analytics/timeseries?metric=events&granularity=hour&tz=Europe/Berlin&${D.BERLIN_HOURS_RANGE}`);
  assert.deepEqual(pick(body.data, ['timestamp', 'local', 'events']), D.BERLIN_HOURS);
});

test('timeseries of one event, in weeks starting Monday', async () => {
  const days = await read(a, `/api/v1/analytics/timeseries?metric=users&event=purchase&granularity=day&${D.RANGE}`);
  assert.deepEqual(days.data.map((r) => r.value), [0, 0, 0, 2, 0]);
  assert.equal(days.event, 'purchase');
  // 2026-03-23 and 2026-03-30 are Mondays; the range starts on a Friday
  const weeks = await read(a, `/api/v1/analytics/timeseries?metric=events&granularity=week&${D.RANGE}`);
  assert.deepEqual(pick(weeks.data, ['timestamp', 'value']), [
    { timestamp: '2026-03-23T00:00:00.000Z', value: 6 },
    { timestamp: '2026-03-30T00:00:00.000Z', value: 3 },
  ]);
});

test('timeseries per minute reads the recent raw events', async () => {
  const t = await stack.tenant('product-minutes');
  const now = Date.now();
  const at = now - 90_000;
  const res = await stack.post('/api/v1/events', [
    { event: 'tick', userId: 'm1', timestamp: at },
    { event: 'tick', userId: 'm2', timestamp: at + 1 },
    { event: 'tock', userId: 'm1', sessionId: 'ms', timestamp: at + 2 },
  ], { key: t.ingest });
  expectStatus(stack, res, 202);
  const body = await read(t, `/api/v1/analytics/timeseries?granularity=minute&metric=users&from=${now - 300_000}&to=${now}`);
  assert.equal(body.granularity, 'minute');
  assert.ok(body.data.length >= 5 && body.data.length <= 6, `buckets ${body.data.length}`);
  const hit = body.data.filter((r) => r.events > 0);
  assert.equal(hit.length, 1);
  assert.equal(hit[0].events, 3);
  assert.equal(hit[0].value, 2);
  assert.equal(hit[0].sessions, 1);
  assert.equal(hit[0].timestamp, new Date(at - (at % 60000)).toISOString());
  const ticks = await read(t, `/api/v1/analytics/timeseries?granularity=minute&event=tick&from=${now - 300_000}&to=${now}`);
  assert.equal(ticks.data.reduce((s, r) => s + r.events, 0), 2);
});

test('breakdown by url, referrer, shop and properties', async () => {
  const rows = async (q) => pick((await read(a, `/api/v1/analytics/breakdown?${q}&${D.RANGE}`)).data, ['key', 'value']);
  assert.deepEqual(await rows('by=url'), D.BY_URL);
  assert.deepEqual(await rows('by=url&event=$pageview'), D.BY_URL);
  assert.deepEqual(await rows('by=referrer'), D.BY_REFERRER);
  assert.deepEqual(await rows('by=shop'), D.BY_SHOP);
  assert.deepEqual(await rows('by=properties.plan'), D.BY_PLAN);
  assert.deepEqual(await rows('by=properties.plan&event=purchase'), D.BY_PLAN_PURCHASE);
  assert.deepEqual(await rows('by=properties.amount&event=purchase'), D.BY_AMOUNT_PURCHASE);
  // objects, arrays and nulls are not dimensions
  assert.deepEqual(await rows('by=properties.items'), []);
  assert.deepEqual(await rows('by=properties.coupon'), []);
  assert.deepEqual(await rows('by=url&metric=sessions'),
    [{ key: 'https://shop.example/', value: 2 }, { key: 'https://shop.example/docs', value: 1 },
      { key: 'https://shop.example/pricing', value: 1 }]);
});

test('breakdown by event: users, top N and the other row as a union', async () => {
  const body = await read(a, `/api/v1/analytics/breakdown?by=event&metric=users&limit=2&${D.RANGE}`);
  assert.equal(body.by, 'event');
  assert.equal(body.metric, 'users');
  assert.deepEqual(pick(body.data, ['key', 'value', 'events', 'users']),
    D.BY_EVENT_USERS_TOP2.map(({ groups, ...r }) => r));
  assert.equal(body.data[2].groups, 3);
});

test('LLM breakdowns keep their metrics; mixing them is refused', async () => {
  expectError(stack, await stack.get(`/api/v1/analytics/breakdown?by=url&metric=cost&${D.RANGE}`, { key: a.secret }), 400, 'bad_request');
  expectError(stack, await stack.get(`/api/v1/analytics/breakdown?by=model&metric=users&${D.RANGE}`, { key: a.secret }), 400, 'bad_request');
  const calls = await read(a, `/api/v1/analytics/breakdown?by=model&${D.RANGE}`);
  assert.equal(calls.metric, 'calls');
  assert.deepEqual(calls.data, []);
});

test('bad parameters are 400 with a message', async () => {
  const bad = [
    'timeseries?granularity=second',
    'timeseries?granularity=minute&from=2026-03-01T00:00:00Z&to=2026-03-03T00:00:00Z',
    'timeseries?granularity=hour&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
    'timeseries?tz=Nope/Zone',
    'timeseries?tz=../../../etc/passwd',
    'timeseries?tz=/etc/localtime',
    'timeseries?metric=visits',
    'breakdown?by=properties.',
    `breakdown?by=properties.${'k'.repeat(65)}`,
    'breakdown?by=country',
    'breakdown?by=event&limit=0',
    'stats?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z',
    'stats?from=yesterday',
  ];
  for (const q of bad) {
    const res = await stack.get(`/api/v1/analytics/${q}`, { key: a.secret });
    expectError(stack, res, 400, 'bad_request');
    assert.ok(res.body.message.length > 10, q);
  }
});

test('the ingest key cannot read analytics', async () => {
  const res = await stack.get(`/api/v1/analytics/stats?${D.RANGE}`, { key: a.ingest });
  assert.equal(res.status, 403);
});

test('tenant isolation: same ids in another project, and an empty project', async () => {
  const bs = (await read(b, `/api/v1/analytics/stats?${D.RANGE}`)).data;
  assert.equal(bs.events, 3);
  assert.equal(bs.users, 2);        // a1, u1
  assert.equal(bs.sessions, 1);
  const bu = (await read(b, `/api/v1/analytics/breakdown?by=url&${D.RANGE}`)).data;
  assert.deepEqual(pick(bu, ['key', 'value']),
    [{ key: 'https://shop.example/', value: 1 }, { key: 'https://shop.example/pricing', value: 1 }]);
  // a is unchanged by b's copies
  assert.equal((await read(a, `/api/v1/analytics/stats?${D.RANGE}`)).data.events, 9);

  const es = (await read(empty, `/api/v1/analytics/stats?${D.RANGE}`)).data;
  assert.deepEqual([es.events, es.users, es.sessions, es.pageviews, es.topEvents], [0, 0, 0, 0, []]);
  const et = (await read(empty, `/api/v1/analytics/timeseries?metric=users&granularity=day&${D.RANGE}`)).data;
  assert.deepEqual(et.map((r) => r.value), [0, 0, 0, 0, 0]);
  for (const by of ['event', 'url', 'referrer', 'shop', 'properties.plan']) {
    assert.deepEqual((await read(empty, `/api/v1/analytics/breakdown?by=${by}&${D.RANGE}`)).data, [], by);
  }
});

test('a replayed batch changes no count', async () => {
  const t = await stack.tenant('product-replay');
  const batch = D.EVENTS.map((e, i) => ({ ...e, messageId: `replay-${i}` }));
  for (let i = 0; i < 2; i++) expectStatus(stack, await stack.post('/api/v1/events', batch, { key: t.ingest }), 202);
  const s = (await read(t, `/api/v1/analytics/stats?${D.RANGE}`)).data;
  assert.deepEqual([s.events, s.users, s.sessions], [9, 4, 4]);
});

test('an invalid batch adds nothing to the rollups', async () => {
  const t = await stack.tenant('product-atomic');
  const res = await stack.post('/api/v1/events', [D.EVENTS[0], { type: 'track' }], { key: t.ingest });
  expectError(stack, res, 400, 'validation_failed');
  const s = (await read(t, `/api/v1/analytics/stats?${D.RANGE}`)).data;
  assert.deepEqual([s.events, s.users], [0, 0]);
});

test('tallyctl rollups rebuild makes the rollups again from the raw events', async () => {
  const t = await stack.tenant('product-rebuild');
  expectStatus(stack, await stack.post('/api/v1/events', D.EVENTS, { key: t.ingest }), 202);
  const want = (await read(t, `/api/v1/analytics/stats?${D.RANGE}`)).data;
  const wantUrls = (await read(t, `/api/v1/analytics/breakdown?by=url&metric=users&${D.RANGE}`)).data;
  // events stored before schema 4 had no rollups: take this project's away
  const db = path.join(stack.varDir, 'tally.db');
  const sql = (q) => promisify(execFile)('sqlite3', ['-cmd', '.timeout 10000', db, q]);
  await sql(`DELETE FROM event_rollup WHERE project_id = ${t.id}; DELETE FROM user_first WHERE project_id = ${t.id};`);
  assert.equal((await read(t, `/api/v1/analytics/stats?${D.RANGE}`)).data.events, 0);
  const out = await stack.ctl('rollups', 'rebuild', t.slug);
  assert.match(out.stdout, /product-rebuild: rollups rebuilt from 9 events/);
  assert.deepEqual((await read(t, `/api/v1/analytics/stats?${D.RANGE}`)).data, want);
  assert.deepEqual((await read(t, `/api/v1/analytics/breakdown?by=url&metric=users&${D.RANGE}`)).data, wantUrls);
  // twice is the same as once, and the other projects are untouched
  await stack.ctl('rollups', 'rebuild', t.slug);
  assert.deepEqual((await read(t, `/api/v1/analytics/stats?${D.RANGE}`)).data, want);
  assert.equal((await read(a, `/api/v1/analytics/stats?${D.RANGE}`)).data.events, 9);
});

test('erasing a user takes it out of the retention cohorts', async () => {
  const t = await stack.tenant('product-erase');
  // two users first seen in the week of 2026-03-23, both back the week after
  const ev = (user, ts) => ({ event: 'visit', userId: user, timestamp: ts });
  expectStatus(stack, await stack.post('/api/v1/events', [
    ev('gone', '2026-03-24T10:00:00Z'), ev('stay', '2026-03-24T11:00:00Z'),
    ev('gone', '2026-03-31T10:00:00Z'), ev('stay', '2026-03-31T11:00:00Z'),
  ], { key: t.ingest }), 202);
  const q = '/api/v1/analytics/retention?from=2026-03-23T00:00:00Z&to=2026-04-06T00:00:00Z';
  let cohorts = (await read(t, q)).data.cohorts;
  assert.equal(cohorts.length, 1);
  assert.deepEqual([cohorts[0].users, cohorts[0].retained[1].users], [2, 2]);
  const del = await stack.del('/api/v1/users/gone', { key: t.secret });
  expectStatus(stack, del, 200);
  cohorts = (await read(t, q)).data.cohorts;
  assert.deepEqual([cohorts[0].users, cohorts[0].retained[1].users], [1, 1]);
});
