// SPEC §4.2 reads: GET /api/v1/events (filters, time range, limit, keyset
// pagination with opaque cursors) and the user profile / GDPR erasure routes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, expectStatus, expectError, uid } from './lib/stack.js';

let stack;
let t;

const T0 = Date.UTC(2023, 2, 1, 0, 0, 0, 0);   // 2023-03-01T00:00:00Z
const H = 3600 * 1000;

// A fixed data set for the filter tests: one event per hour from T0.
const fixture = [
  { type: 'track', event: 'signup', userId: 'fu-1', anonymousId: 'fa-1', sessionId: 'fs-1' },
  { type: 'track', event: 'purchase', userId: 'fu-1', sessionId: 'fs-1', shopId: 'fshop-1' },
  { type: 'page', event: 'Home', anonymousId: 'fa-2', sessionId: 'fs-2' },
  { type: 'track', event: 'signup', userId: 'fu-2', conversationId: 'fc-1', turnId: 'ft-1' },
  { type: 'track', event: 'purchase', userId: 'fu-2', shopId: 'fshop-2', conversationId: 'fc-1' },
  { type: 'identify', userId: 'fu-2', anonymousId: 'fa-2', traits: { plan: 'pro' } },
  { type: 'track', event: 'signup%', userId: 'fu 3/é', sessionId: 'fs-3' },
  { type: 'track', event: 'sign*', userId: 'fu-3' },
  { type: 'screen', event: 'Settings', userId: 'fu-1', shopId: 'fshop-1' },
  { type: 'track', event: 'purchase', anonymousId: 'fa-3', sessionId: 'fs-2', shopId: 'fshop-1' },
].map((m, i) => ({ ...m, messageId: `fx-${i}`, timestamp: new Date(T0 + i * H).toISOString(), properties: { i } }));

before(async () => {
  stack = await startStack();
  t = await stack.tenant('reader');
  const res = await stack.post('/api/v1/events', fixture.map((m) => {
    const { event, type, ...rest } = m;
    return type === 'page' || type === 'screen' ? { ...rest, type, name: event } : { ...rest, type, event };
  }), { key: t.ingest });
  expectStatus(stack, res, 202);
  assert.equal(res.body.accepted, fixture.length);
});

after(async () => {
  if (stack) await stack.stop();
});

/** The fixture ids a query returns, in the order returned. */
async function fxIds(query) {
  const res = await stack.get(`/api/v1/events?limit=1000&${query}`, { key: t.secret });
  expectStatus(stack, res, 200);
  assert.equal(res.body.next_cursor, null);
  return res.body.data.map((e) => e.messageId).filter((id) => id.startsWith('fx-'));
}

/** What the filter should return, newest first. */
function expected(pred) {
  return fixture.filter(pred).map((m) => m.messageId).reverse();
}

test('GET /api/v1/events: response shape, newest first by event time', async () => {
  const res = await stack.get('/api/v1/events?limit=1000', { key: t.secret });
  expectStatus(stack, res, 200);
  assert.deepEqual(Object.keys(res.body).sort(), ['data', 'next_cursor']);
  assert.equal(res.body.next_cursor, null);
  const fx = res.body.data.filter((e) => e.messageId.startsWith('fx-'));
  assert.deepEqual(fx.map((e) => e.messageId), expected(() => true));
  const e = fx.find((x) => x.messageId === 'fx-3');
  assert.equal(e.type, 'track');
  assert.equal(e.event, 'signup');
  assert.equal(e.userId, 'fu-2');
  assert.equal(e.conversationId, 'fc-1');
  assert.equal(e.turnId, 'ft-1');
  assert.equal(e.timestamp, new Date(T0 + 3 * H).toISOString());
  assert.match(e.receivedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.deepEqual(e.properties, { i: 3 });
  assert.equal(typeof e.requestId, 'string');
  const ident = fx.find((x) => x.messageId === 'fx-5');
  assert.deepEqual(ident.traits, { plan: 'pro' });
});

test('filters: type, event, userId, anonymousId, sessionId, conversationId, shopId', async () => {
  const cases = [
    ['type=track', (m) => m.type === 'track'],
    ['type=page', (m) => m.type === 'page'],
    ['type=identify', (m) => m.type === 'identify'],
    ['event=signup', (m) => m.event === 'signup'],
    ['event=purchase', (m) => m.event === 'purchase'],
    ['userId=fu-1', (m) => m.userId === 'fu-1'],
    ['anonymousId=fa-2', (m) => m.anonymousId === 'fa-2'],
    ['sessionId=fs-2', (m) => m.sessionId === 'fs-2'],
    ['conversationId=fc-1', (m) => m.conversationId === 'fc-1'],
    ['shopId=fshop-1', (m) => m.shopId === 'fshop-1'],
    ['event=purchase&shopId=fshop-1', (m) => m.event === 'purchase' && m.shopId === 'fshop-1'],
    ['type=track&userId=fu-2', (m) => m.type === 'track' && m.userId === 'fu-2'],
    [`userId=${encodeURIComponent('fu 3/é')}`, (m) => m.userId === 'fu 3/é'],
    ['userId=nobody', () => false],
  ];
  for (const [q, pred] of cases) {
    assert.deepEqual(await fxIds(q), expected(pred), q);
  }
});

test('filters match exactly: no wildcards, no prefixes, case-sensitive', async () => {
  assert.deepEqual(await fxIds(`event=${encodeURIComponent('signup%')}`), ['fx-6']);
  assert.deepEqual(await fxIds(`event=${encodeURIComponent('sign*')}`), ['fx-7']);
  assert.deepEqual(await fxIds(`event=${encodeURIComponent('sign%')}`), []);
  assert.deepEqual(await fxIds(`event=${encodeURIComponent('sign_p')}`), []);
  assert.deepEqual(await fxIds('event=sign'), []);
  assert.deepEqual(await fxIds('event=SIGNUP'), []);
  assert.deepEqual(await fxIds('userId=fu'), []);
});

test('from is inclusive and to exclusive, as ISO 8601 or epoch ms', async () => {
  const iso = (i) => encodeURIComponent(new Date(T0 + i * H).toISOString());
  const hour = (m) => Number(m.messageId.slice(3));   // fx-<i> sits at T0 + i hours
  const exp = (a, b) => expected((m) => hour(m) >= a && hour(m) < b);
  assert.deepEqual(await fxIds(`from=${iso(2)}&to=${iso(5)}`), exp(2, 5));
  assert.deepEqual(await fxIds(`from=${T0 + 2 * H}&to=${T0 + 5 * H}`), exp(2, 5));
  assert.deepEqual(await fxIds(`from=${T0 + 2 * H}&to=${T0 + 2 * H + 1}`), ['fx-2']);
  assert.deepEqual(await fxIds(`from=${T0 + 2 * H + 1}&to=${T0 + 3 * H}`), []);
  assert.deepEqual(await fxIds(`from=${iso(8)}`), exp(8, 100));
  assert.deepEqual(await fxIds(`to=${iso(1)}`), exp(0, 1));
  assert.deepEqual(await fxIds(`from=${encodeURIComponent('2023-03-01T03:00:00+01:00')}&to=${iso(4)}`), exp(2, 4));
  assert.deepEqual(await fxIds(`from=${iso(3)}&to=${iso(7)}&userId=fu-2`), exp(3, 7).filter((id) => ['fx-3', 'fx-4', 'fx-5'].includes(id)));
});

test('bad query values: 400 in the error shape', async () => {
  for (const q of ['limit=0', 'limit=1001', 'limit=-5', 'limit=abc', 'limit=1.5', 'limit=', 'type=bogus',
    'from=yesterday', 'to=2023-02-30T00:00:00Z', 'cursor=garbage', 'cursor=1', `cursor=${'1'.repeat(33)}x`,
    `cursor=2${'0'.repeat(32)}`]) {
    const res = await stack.get(`/api/v1/events?${q}`, { key: t.secret });
    expectError(stack, res, 400);
  }
});

test('limit: default 50, 1 and 1000 accepted', async () => {
  const extra = Array.from({ length: 60 }, (_, i) => ({ messageId: `lim-${i}`, event: 'lim', userId: 'lim',
    timestamp: new Date(T0 - (i + 1) * 1000).toISOString() }));
  expectStatus(stack, await stack.post('/api/v1/events', extra, { key: t.ingest }), 202);
  const def = await stack.get('/api/v1/events?event=lim', { key: t.secret });
  assert.equal(def.body.data.length, 50);
  assert.equal(typeof def.body.next_cursor, 'string');
  const one = await stack.get('/api/v1/events?event=lim&limit=1', { key: t.secret });
  assert.equal(one.body.data.length, 1);
  assert.equal(one.body.data[0].messageId, 'lim-0');
  const all = await stack.get('/api/v1/events?event=lim&limit=1000', { key: t.secret });
  assert.equal(all.body.data.length, 60);
  assert.equal(all.body.next_cursor, null);
  const exact = await stack.get('/api/v1/events?event=lim&limit=60', { key: t.secret });
  assert.equal(exact.body.data.length, 60);
  assert.equal(exact.body.next_cursor, null, 'no next page when the last page is exactly full');
});

test('pagination walks 250 events (many with equal timestamps) exactly once with limit 7', async () => {
  const base = Date.UTC(2024, 0, 10, 12, 0, 0);
  const events = [];
  for (let i = 0; i < 250; i++) {
    // runs of 10, 13 and 1 equal timestamps, in shuffled insertion order
    const ts = i < 100 ? base + Math.floor(i / 10) * 1000 : i < 230 ? base + 20000 + Math.floor(i / 13) * 1000 : base + 60000 + i;
    events.push({ messageId: `walk-${i}`, event: 'walk', userId: `w${i % 7}`, timestamp: new Date(ts).toISOString() });
  }
  for (let i = events.length - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1);
    [events[i], events[j]] = [events[j], events[i]];
  }
  for (let i = 0; i < events.length; i += 60) {
    expectStatus(stack, await stack.post('/api/v1/events', events.slice(i, i + 60), { key: t.ingest }), 202);
  }
  const seen = [];
  let cursor = null;
  let pages = 0;
  let injected = false;
  do {
    const q = new URLSearchParams({ event: 'walk', limit: '7' });
    if (cursor) q.set('cursor', cursor);
    const res = await stack.get(`/api/v1/events?${q}`, { key: t.secret });
    expectStatus(stack, res, 200);
    assert.ok(res.body.data.length <= 7);
    assert.ok(res.body.data.length === 7 || res.body.next_cursor === null, 'only the last page is short');
    seen.push(...res.body.data);
    cursor = res.body.next_cursor;
    pages++;
    if (pages === 3 && !injected) {
      // newer events arriving mid-walk must not shift the pages
      injected = true;
      const late = Array.from({ length: 20 }, (_, i) => ({ messageId: `walk-late-${i}`, event: 'walk', userId: 'late',
        timestamp: new Date(base + 10 * 60000 + i).toISOString() }));
      expectStatus(stack, await stack.post('/api/v1/events', late, { key: t.ingest }), 202);
    }
    assert.ok(pages < 100, 'pagination terminates');
  } while (cursor);
  const ids = seen.map((e) => e.messageId);
  assert.equal(new Set(ids).size, ids.length, 'no event twice');
  const missing = events.map((e) => e.messageId).filter((id) => !ids.includes(id));
  assert.deepEqual(missing, [], 'every event once');
  assert.ok(!ids.some((id) => id.startsWith('walk-late-')), 'events newer than the first page are not mixed in');
  assert.equal(pages, Math.ceil(250 / 7));
  for (let i = 1; i < seen.length; i++) {
    assert.ok(Date.parse(seen[i - 1].timestamp) >= Date.parse(seen[i].timestamp), `order at ${i}`);
  }
});

test('pagination with a time range and a filter walks the range exactly once', async () => {
  const base = Date.UTC(2024, 0, 10, 12, 0, 0);
  const from = base + 5000;
  const to = base + 30000;
  const q = `event=walk&from=${from}&to=${to}`;
  const all = await stack.allEvents(t.secret, q, 1000);
  const paged = await stack.allEvents(t.secret, q, 3);
  assert.ok(all.length > 20);
  assert.deepEqual(paged.map((e) => e.messageId), all.map((e) => e.messageId));
  for (const e of all) {
    const ts = Date.parse(e.timestamp);
    assert.ok(ts >= from && ts < to);
  }
});

// ---- users ----

test('identify merges traits into the profile; first/last seen and event count', async () => {
  const u = uid('prof');
  const t1 = Date.UTC(2024, 5, 1, 10, 0, 0);
  const msgs = [
    { type: 'identify', userId: u, traits: { email: 'a@example.com', plan: 'free', n: 1 }, timestamp: new Date(t1).toISOString() },
    { type: 'track', event: 'x', userId: u, timestamp: new Date(t1 + H).toISOString() },
    { type: 'identify', userId: u, traits: { plan: 'pro', company: { name: 'Acme' } }, timestamp: new Date(t1 + 2 * H).toISOString() },
  ];
  expectStatus(stack, await stack.post('/api/v1/events', msgs, { key: t.ingest }), 202);
  expectStatus(stack, await stack.post('/v1/identify', { userId: u, traits: { n: 2 }, timestamp: new Date(t1 + 3 * H).toISOString() },
    { key: t.ingest }), 200);
  const res = await stack.get(`/api/v1/users/${encodeURIComponent(u)}`, { key: t.secret });
  expectStatus(stack, res, 200);
  const p = res.body.data;
  assert.equal(p.userId, u);
  assert.deepEqual(p.traits, { email: 'a@example.com', plan: 'pro', n: 2, company: { name: 'Acme' } });
  assert.equal(p.firstSeen, new Date(t1).toISOString());
  assert.equal(p.lastSeen, new Date(t1 + 3 * H).toISOString());
  assert.equal(p.eventCount, 4);
  assert.deepEqual(p.aliases, []);
});

test('identify links the anonymousId and alias links previousId to the user', async () => {
  const u = uid('link');
  expectStatus(stack, await stack.post('/api/v1/identify', { userId: u, anonymousId: `${u}-anon`, traits: { a: 1 } }, { key: t.ingest }), 200);
  expectStatus(stack, await stack.post('/api/v1/alias', { previousId: `${u}-old`, userId: u }, { key: t.ingest }), 200);
  const res = await stack.get(`/api/v1/users/${u}`, { key: t.secret });
  expectStatus(stack, res, 200);
  assert.deepEqual([...res.body.data.aliases].sort(), [`${u}-anon`, `${u}-old`].sort());
});

test('a profile counts events sent under its linked ids (userId = previousId, and anonymousId)', async () => {
  const u = uid('cnt');
  const day = Date.UTC(2024, 6, 1);
  const msgs = [
    { type: 'track', event: 'browse', anonymousId: `${u}-anon`, timestamp: new Date(day).toISOString() },
    { type: 'track', event: 'browse', anonymousId: `${u}-anon`, timestamp: new Date(day + 1000).toISOString() },
    { type: 'track', event: 'old', userId: `${u}-old`, timestamp: new Date(day + 2000).toISOString() },
    { type: 'identify', userId: u, anonymousId: `${u}-anon`, timestamp: new Date(day + 3000).toISOString() },
    { type: 'alias', previousId: `${u}-old`, userId: u, timestamp: new Date(day + 4000).toISOString() },
    { type: 'track', event: 'buy', userId: u, timestamp: new Date(day + 5000).toISOString() },
  ];
  expectStatus(stack, await stack.post('/api/v1/events', msgs, { key: t.ingest }), 202);
  const res = await stack.get(`/api/v1/users/${u}`, { key: t.secret });
  expectStatus(stack, res, 200);
  assert.equal(res.body.data.eventCount, 6, `every event of the user and its linked ids: ${res.text}`);
  assert.equal(res.body.data.firstSeen, new Date(day).toISOString());
  assert.equal(res.body.data.lastSeen, new Date(day + 5000).toISOString());
});

test('GET /api/v1/users/{id}: unknown user is 404; ids with reserved characters work', async () => {
  expectError(stack, await stack.get('/api/v1/users/no-such-user', { key: t.secret }), 404, 'not_found');
  const res = await stack.get(`/api/v1/users/${encodeURIComponent('fu 3/é')}`, { key: t.secret });
  expectStatus(stack, res, 200);
  assert.equal(res.body.data.userId, 'fu 3/é');
  assert.equal(res.body.data.eventCount, 1);
});

test('DELETE /api/v1/users/{id} erases the user\'s events, profile and links, then is idempotent', async () => {
  const u = uid('gdpr');
  const anon = `${u}-anon`;
  const old = `${u}-old`;
  const msgs = [
    ...[0, 1, 2].map((i) => ({ messageId: `${u}-a${i}`, event: 'anon_view', anonymousId: anon })),
    { messageId: `${u}-id`, type: 'identify', userId: u, anonymousId: anon, traits: { email: 'gone@example.com' } },
    ...[0, 1, 2, 3].map((i) => ({ messageId: `${u}-t${i}`, event: 'buy', userId: u, properties: { i } })),
    ...[0, 1].map((i) => ({ messageId: `${u}-o${i}`, event: 'old_view', userId: old })),
    { messageId: `${u}-al`, type: 'alias', previousId: old, userId: u },
    ...[0, 1].map((i) => ({ messageId: `${u}-b${i}`, event: 'buy', userId: `${u}-bystander`, anonymousId: `${u}-other-anon` })),
  ];
  expectStatus(stack, await stack.post('/api/v1/events', msgs, { key: t.ingest }), 202);
  expectStatus(stack, await stack.get(`/api/v1/users/${u}`, { key: t.secret }), 200);

  const res = await stack.del(`/api/v1/users/${u}`, { key: t.secret });
  expectStatus(stack, res, 200);
  assert.equal(res.body.userId, u);
  assert.equal(res.body.request_id, res.headers['x-request-id']);
  assert.deepEqual(res.body.deleted, { events: 11, profiles: 1, aliases: 2 });

  expectError(stack, await stack.get(`/api/v1/users/${u}`, { key: t.secret }), 404, 'not_found');
  for (const q of [`userId=${u}`, `anonymousId=${anon}`, `userId=${old}`]) {
    assert.deepEqual(await stack.allEvents(t.secret, q), [], q);
  }
  const all = await stack.allEvents(t.secret);
  assert.ok(!all.some((e) => e.messageId.startsWith(`${u}-`) && !e.messageId.startsWith(`${u}-b`)));
  assert.equal(all.filter((e) => e.userId === `${u}-bystander`).length, 2, 'other users are untouched');

  const again = await stack.del(`/api/v1/users/${u}`, { key: t.secret });
  expectStatus(stack, again, 200);
  assert.deepEqual(again.body.deleted, { events: 0, profiles: 0, aliases: 0 });
  const unknown = await stack.del('/api/v1/users/never-existed', { key: t.secret });
  expectStatus(stack, unknown, 200);
  assert.deepEqual(unknown.body, { userId: 'never-existed', deleted: { events: 0, profiles: 0, aliases: 0 },
    request_id: unknown.headers['x-request-id'] });
});

test('an erased user can come back as a new profile', async () => {
  const u = uid('back');
  expectStatus(stack, await stack.post('/api/v1/identify', { userId: u, traits: { v: 1 } }, { key: t.ingest }), 200);
  expectStatus(stack, await stack.del(`/api/v1/users/${u}`, { key: t.secret }), 200);
  expectStatus(stack, await stack.post('/api/v1/identify', { userId: u, traits: { w: 2 } }, { key: t.ingest }), 200);
  const res = await stack.get(`/api/v1/users/${u}`, { key: t.secret });
  expectStatus(stack, res, 200);
  assert.deepEqual(res.body.data.traits, { w: 2 });
  assert.equal(res.body.data.eventCount, 1);
});
