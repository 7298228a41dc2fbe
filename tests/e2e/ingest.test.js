// SPEC §4.1-§4.3: the wire dialects (native, Segment, the seeds' shapes and
// field aliases), atomic native batches, Segment's partial acceptance, dedup,
// clock-skew correction, content types and gzip bodies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { startStack, expectStatus, expectError, uid } from './lib/stack.js';

let stack;
let t;

before(async () => {
  stack = await startStack();
  t = await stack.tenant('ingest');
});

after(async () => {
  if (stack) await stack.stop();
});

/** The stored events with these message ids, by id. */
async function byId(ids, query = '') {
  const rows = await stack.allEvents(t.secret, query);
  const out = {};
  for (const e of rows) if (ids.includes(e.messageId)) out[e.messageId] = (out[e.messageId] || []).concat(e);
  return out;
}

async function one(id) {
  const found = await byId([id]);
  assert.ok(found[id], `event ${id} was not stored`);
  assert.equal(found[id].length, 1, `event ${id} stored ${found[id].length} times`);
  return found[id][0];
}

const near = (iso, ms, tol = 5000) => Math.abs(Date.parse(iso) - ms) <= tol;

// ---- native POST /api/v1/events: the four shapes ----

test('native: one message object → 202 {accepted:1,duplicates:0,request_id}', async () => {
  const id = uid('single');
  const res = await stack.post('/api/v1/events', { messageId: id, event: 'signup', userId: 'u1',
    properties: { plan: 'pro', n: 3, nested: { ok: true } }, context: { locale: 'en-GB' } }, { key: t.ingest });
  expectStatus(stack, res, 202);
  assert.deepEqual(Object.keys(res.body).sort(), ['accepted', 'duplicates', 'request_id']);
  assert.equal(res.body.accepted, 1);
  assert.equal(res.body.duplicates, 0);
  assert.equal(res.body.request_id, res.headers['x-request-id']);
  const e = await one(id);
  assert.equal(e.type, 'track');
  assert.equal(e.event, 'signup');
  assert.equal(e.userId, 'u1');
  assert.deepEqual(e.properties, { plan: 'pro', n: 3, nested: { ok: true } });
  assert.equal(e.context.locale, 'en-GB');
  assert.equal(e.requestId, res.body.request_id);
  assert.ok(near(e.receivedAt, Date.now(), 60000));
  assert.ok(near(e.timestamp, Date.parse(e.receivedAt), 1000), 'timestamp defaults to receive time');
});

test('native: an array of messages', async () => {
  const ids = [uid('arr'), uid('arr'), uid('arr')];
  const res = await stack.post('/api/v1/events', ids.map((messageId, i) => ({ messageId, event: `e${i}`, anonymousId: 'anon-arr' })),
    { key: t.ingest });
  expectStatus(stack, res, 202);
  assert.equal(res.body.accepted, 3);
  const found = await byId(ids);
  assert.equal(Object.keys(found).length, 3);
});

test('native: {"events":[…]} and {"batch":[…]} wrappers', async () => {
  for (const wrap of ['events', 'batch']) {
    const ids = [uid(wrap), uid(wrap)];
    const res = await stack.post('/api/v1/events', { [wrap]: ids.map((messageId) => ({ messageId, event: wrap, userId: 'w' })) },
      { key: t.ingest });
    expectStatus(stack, res, 202);
    assert.equal(res.body.accepted, 2);
    assert.equal(Object.keys(await byId(ids)).length, 2);
  }
});

test('native: every Segment type is accepted with its required fields', async () => {
  const ids = {};
  const msgs = [
    { type: 'track', event: 'clicked', userId: 'types' },
    { type: 'page', name: 'Home', userId: 'types', properties: { path: '/' } },
    { type: 'screen', name: 'Settings', userId: 'types' },
    { type: 'identify', userId: 'types', traits: { email: 'types@example.com' } },
    { type: 'group', userId: 'types', groupId: 'g1', traits: { name: 'Team' } },
    { type: 'alias', previousId: 'types-old', userId: 'types' },
  ].map((m) => { const id = uid(m.type); ids[m.type] = id; return { ...m, messageId: id }; });
  const res = await stack.post('/api/v1/events', msgs, { key: t.ingest });
  expectStatus(stack, res, 202);
  assert.equal(res.body.accepted, 6);
  const found = await byId(Object.values(ids));
  for (const [type, id] of Object.entries(ids)) assert.equal(found[id][0].type, type);
  assert.equal(found[ids.page][0].event, 'Home');
  assert.equal(found[ids.group][0].groupId, 'g1');
  assert.deepEqual(found[ids.identify][0].traits, { email: 'types@example.com' });
  assert.equal(found[ids.alias][0].previousId, 'types-old');
});

test('native: a track without an identity or an event name is refused', async () => {
  expectError(stack, await stack.post('/api/v1/events', { event: 'x' }, { key: t.ingest }), 400, 'validation_failed');
  expectError(stack, await stack.post('/api/v1/events', { userId: 'x' }, { key: t.ingest }), 400, 'validation_failed');
  expectError(stack, await stack.post('/api/v1/events', { type: 'bogus', event: 'x', userId: 'x' }, { key: t.ingest }),
    400, 'validation_failed');
  expectError(stack, await stack.post('/api/v1/events', { type: 'group', userId: 'x' }, { key: t.ingest }), 400, 'validation_failed');
  expectError(stack, await stack.post('/api/v1/events', { type: 'alias', userId: 'x' }, { key: t.ingest }), 400, 'validation_failed');
  expectError(stack, await stack.post('/api/v1/events', [], { key: t.ingest }), 400);
  expectError(stack, await stack.post('/api/v1/events', 'just a string', { key: t.ingest }), 400);
  expectError(stack, await stack.post('/api/v1/events', { event: 'x', userId: 'u', properties: [1, 2] }, { key: t.ingest }),
    400, 'validation_failed');
});

// ---- atomic native batches ----

test('native batch with one bad message at index k: 400 details[].index === k, nothing stored', async () => {
  const k = 3;
  const ids = [0, 1, 2, 3, 4, 5].map(() => uid('atomic'));
  const msgs = ids.map((messageId) => ({ messageId, event: 'atomic', userId: 'atom' }));
  delete msgs[k].event;
  const res = await stack.post('/api/v1/events', { events: msgs }, { key: t.ingest });
  const body = expectError(stack, res, 400, 'validation_failed');
  assert.equal(body.details.length, 1, JSON.stringify(body.details));
  assert.equal(body.details[0].index, k);
  assert.equal(body.details[0].field, 'event');
  assert.equal(typeof body.details[0].problem, 'string');
  assert.deepEqual(await byId(ids), {}, 'nothing of the refused batch is stored');
});

test('native batch lists every bad message, in order, and stores none', async () => {
  const ids = [0, 1, 2, 3, 4].map(() => uid('atomic2'));
  const msgs = ids.map((messageId) => ({ messageId, event: 'atomic2', userId: 'atom' }));
  delete msgs[1].userId;
  msgs[4].timestamp = 'yesterday-ish';
  const res = await stack.post('/api/v1/events', msgs, { key: t.ingest });
  const body = expectError(stack, res, 400, 'validation_failed');
  assert.deepEqual(body.details.map((d) => d.index), [1, 4]);
  assert.equal(body.details[1].field, 'timestamp');
  assert.deepEqual(await byId(ids), {});
});

// ---- Segment routes: partial acceptance ----

test('Segment /api/v1/batch: 200 {success:true}, batch context and sentAt applied', async () => {
  const ids = [uid('sb'), uid('sb')];
  const res = await stack.post('/api/v1/batch', {
    batch: [
      { type: 'track', messageId: ids[0], event: 'Order Completed', userId: 'seg', properties: { total: 9.5 },
        context: { locale: 'fr-FR' } },
      { type: 'page', messageId: ids[1], name: 'Pricing', anonymousId: 'seg-anon' },
    ],
    context: { library: { name: 'analytics-test', version: '1.0' }, locale: 'en-US' },
    sentAt: new Date().toISOString(),
  }, { key: t.ingest });
  expectStatus(stack, res, 200);
  assert.deepEqual(res.body, { success: true });
  const found = await byId(ids);
  const [a, b] = [found[ids[0]][0], found[ids[1]][0]];
  assert.equal(a.event, 'Order Completed');
  assert.equal(a.context.locale, 'fr-FR', 'the message\'s context wins over the batch\'s');
  assert.equal(a.context.library.name, 'analytics-test');
  assert.equal(b.type, 'page');
  assert.equal(b.context.locale, 'en-US');
});

test('Segment /api/v1/batch: invalid messages are listed in rejected[], the valid ones stored', async () => {
  const ids = [uid('sp'), uid('sp'), uid('sp'), uid('sp')];
  const res = await stack.post('/api/v1/batch', {
    batch: [
      { type: 'track', messageId: ids[0], event: 'ok', userId: 'seg' },
      { type: 'track', messageId: ids[1], userId: 'seg' },
      { type: 'identify', messageId: ids[2], traits: { a: 1 } },
      { type: 'track', messageId: ids[3], event: 'ok too', userId: 'seg' },
    ],
  }, { key: t.ingest });
  expectStatus(stack, res, 200);
  assert.equal(res.body.success, true);
  assert.deepEqual(res.body.rejected.map((r) => r.index), [1, 2]);
  assert.equal(res.body.rejected[0].field, 'event');
  for (const r of res.body.rejected) assert.equal(typeof r.problem, 'string');
  assert.deepEqual(Object.keys(await byId(ids)).sort(), [ids[0], ids[3]].sort());
});

test('Segment /api/v1/batch without a batch array, or malformed JSON, is still a 400', async () => {
  expectError(stack, await stack.post('/api/v1/batch', { type: 'track', event: 'x', userId: 'u' }, { key: t.ingest }), 400);
  expectError(stack, await stack.request('POST', '/api/v1/batch',
    { key: t.ingest, body: '{"batch":[', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_json');
});

test('Segment single-message routes /api/v1/track|identify|page|screen|group|alias', async () => {
  const cases = [
    ['track', { event: 'Signed Up', userId: 'single', properties: { plan: 'x' } }],
    ['identify', { userId: 'single', traits: { name: 'Single' } }],
    ['page', { userId: 'single', name: 'Docs', properties: { url: 'https://example.com/docs' } }],
    ['screen', { userId: 'single', name: 'Home' }],
    ['group', { userId: 'single', groupId: 'grp-1', traits: { plan: 'team' } }],
    ['alias', { previousId: 'single-old', userId: 'single' }],
  ];
  const ids = {};
  for (const [route, m] of cases) {
    ids[route] = uid(route);
    const res = await stack.post(`/api/v1/${route}`, { ...m, messageId: ids[route] }, { key: t.ingest });
    expectStatus(stack, res, 200);
    assert.deepEqual(res.body, { success: true }, route);
  }
  const found = await byId(Object.values(ids));
  for (const [route, id] of Object.entries(ids)) {
    assert.ok(found[id], `${route} stored`);
    assert.equal(found[id][0].type, route, `the route sets the type (${route})`);
  }
});

test('Segment single route with an invalid message: 200 with rejected[index 0], nothing stored', async () => {
  const id = uid('single-bad');
  const res = await stack.post('/api/v1/track', { messageId: id, userId: 'single' }, { key: t.ingest });
  expectStatus(stack, res, 200);
  assert.equal(res.body.success, true);
  assert.equal(res.body.rejected.length, 1);
  assert.equal(res.body.rejected[0].index, 0);
  assert.equal(res.body.rejected[0].field, 'event');
  assert.deepEqual(await byId([id]), {});
});

test('root Segment paths /v1/batch, /v1/track … reach the same handlers', async () => {
  const ids = {};
  const cases = [
    ['batch', (id) => ({ batch: [{ type: 'track', messageId: id, event: 'root batch', userId: 'root' }] }), 'track'],
    ['track', (id) => ({ messageId: id, event: 'root track', userId: 'root' }), 'track'],
    ['identify', (id) => ({ messageId: id, userId: 'root', traits: { root: true } }), 'identify'],
    ['page', (id) => ({ messageId: id, userId: 'root', name: 'Root' }), 'page'],
    ['screen', (id) => ({ messageId: id, userId: 'root', name: 'Root' }), 'screen'],
    ['group', (id) => ({ messageId: id, userId: 'root', groupId: 'g-root' }), 'group'],
    ['alias', (id) => ({ messageId: id, userId: 'root', previousId: 'root-old' }), 'alias'],
  ];
  for (const [route, make, type] of cases) {
    const id = uid(`root-${route}`);
    ids[id] = type;
    const res = await stack.post(`/v1/${route}`, make(id), { key: t.ingest });
    expectStatus(stack, res, 200);
    assert.equal(res.body.success, true, route);
  }
  const found = await byId(Object.keys(ids));
  for (const [id, type] of Object.entries(ids)) {
    assert.ok(found[id], `${id} stored`);
    assert.equal(found[id][0].type, type);
  }
});

test('seed path alias: POST /api/events is /api/v1/events', async () => {
  const id = uid('seedpath');
  const res = await stack.post('/api/events', { messageId: id, event: 'seed', userId: 'seed' }, { key: t.ingest });
  expectStatus(stack, res, 202);
  assert.equal(res.body.accepted, 1);
  await one(id);
});

// ---- field aliases (SPEC §4.1) ----

test('snake_case spellings of every field', async () => {
  const ids = { track: uid('snake'), alias: uid('snake'), group: uid('snake') };
  const sent = Date.now() - 1000;
  const res = await stack.post('/api/v1/events', [
    { message_id: ids.track, event: 'snake', user_id: 'snake-u', anonymous_id: 'snake-a', session_id: 'snake-s',
      conversation_id: 'snake-c', turn_id: 'snake-t', shop_id: 'snake-shop', user_agent: 'SnakeUA/1',
      timestamp: new Date(sent - 60000).toISOString(), sent_at: new Date(sent).toISOString() },
    { message_id: ids.alias, type: 'alias', previous_id: 'snake-prev', user_id: 'snake-u' },
    { message_id: ids.group, type: 'group', group_id: 'snake-g', anonymous_id: 'snake-a' },
  ], { key: t.ingest });
  expectStatus(stack, res, 202);
  const found = await byId(Object.values(ids));
  const e = found[ids.track][0];
  assert.equal(e.userId, 'snake-u');
  assert.equal(e.anonymousId, 'snake-a');
  assert.equal(e.sessionId, 'snake-s');
  assert.equal(e.conversationId, 'snake-c');
  assert.equal(e.turnId, 'snake-t');
  assert.equal(e.shopId, 'snake-shop');
  assert.equal(e.properties.shopId, 'snake-shop');
  assert.equal(e.context.userAgent, 'SnakeUA/1');
  assert.equal(found[ids.alias][0].previousId, 'snake-prev');
  assert.equal(found[ids.group][0].groupId, 'snake-g');
});

test('event name aliases: name, eventName, eventType, event_type', async () => {
  const ids = [uid('n'), uid('n'), uid('n'), uid('n')];
  const res = await stack.post('/api/v1/events', [
    { messageId: ids[0], name: 'by_name', userId: 'names' },
    { messageId: ids[1], eventName: 'by_eventName', userId: 'names' },
    { messageId: ids[2], eventType: 'by_eventType', userId: 'names' },
    { messageId: ids[3], event_type: 'by_event_type', userId: 'names' },
  ], { key: t.ingest });
  expectStatus(stack, res, 202);
  const found = await byId(ids);
  assert.deepEqual(ids.map((id) => found[id][0].event), ['by_name', 'by_eventName', 'by_eventType', 'by_event_type']);
  for (const id of ids) assert.equal(found[id][0].type, 'track');
});

test('Bilan: event_type naming a Segment type is the type; otherwise the event name', async () => {
  const ids = [uid('bilan'), uid('bilan'), uid('bilan')];
  const res = await stack.post('/api/v1/events', { events: [
    { id: ids[0], event_type: 'turn_completed', user_id: 'bilan-u', conversation_id: 'conv-1', turn_id: 'turn-1',
      properties: { model: 'none', latency: 12 } },
    { id: ids[1], event_type: 'identify', user_id: 'bilan-u', traits: { tier: 'gold' } },
    { id: ids[2], event_type: 'page', user_id: 'bilan-u', properties: { path: '/chat' } },
  ] }, { key: t.ingest });
  expectStatus(stack, res, 202);
  const found = await byId(ids);
  const turn = found[ids[0]][0];
  assert.equal(turn.type, 'track');
  assert.equal(turn.event, 'turn_completed');
  assert.equal(turn.conversationId, 'conv-1');
  assert.equal(turn.turnId, 'turn-1');
  assert.equal(found[ids[1]][0].type, 'identify');
  assert.equal(found[ids[2]][0].type, 'page');
  const conv = await stack.get('/api/v1/events?conversationId=conv-1', { key: t.secret });
  assert.deepEqual(conv.body.data.map((e) => e.messageId), [ids[0]]);
});

test('Flowtel: shopId, sessionId, eventType, eventName, url, userAgent, ts', async () => {
  const ids = [uid('flow'), uid('flow')];
  const ts = Date.now() - 3600 * 1000;
  const res = await stack.post('/api/v1/events', { events: [
    { id: ids[0], shopId: 'shop-42', sessionId: 'sess-flow', eventType: 'page_view',
      url: 'https://shop.example/p/1', userAgent: 'Mozilla/5.0 FlowtelTest', ts },
    { message_id: ids[1], shopId: 'shop-42', sessionId: 'sess-flow', eventName: 'add_to_cart',
      properties: { sku: 'A1', qty: 2 } },
  ] }, { key: t.ingest });
  expectStatus(stack, res, 202);
  const found = await byId(ids);
  const pv = found[ids[0]][0];
  assert.equal(pv.type, 'track');
  assert.equal(pv.event, 'page_view');
  assert.equal(pv.sessionId, 'sess-flow');
  assert.equal(pv.shopId, 'shop-42');
  assert.equal(pv.properties.shopId, 'shop-42');
  assert.equal(pv.context.page.url, 'https://shop.example/p/1');
  assert.equal(pv.context.userAgent, 'Mozilla/5.0 FlowtelTest');
  assert.equal(Date.parse(pv.timestamp), ts, '`ts` (epoch ms) is the timestamp');
  const cart = found[ids[1]][0];
  assert.equal(cart.event, 'add_to_cart');
  assert.deepEqual(cart.properties, { sku: 'A1', qty: 2, shopId: 'shop-42' });
  const byShop = await stack.get('/api/v1/events?shopId=shop-42', { key: t.secret });
  assert.deepEqual(byShop.body.data.map((e) => e.messageId).sort(), [...ids].sort());
});

test('properties.sessionId and properties.shopId are promoted and filterable', async () => {
  const id = uid('promo');
  const res = await stack.post('/api/v1/events', { messageId: id, event: 'promo',
    properties: { sessionId: 'sess-promo', shopId: 'shop-promo' } }, { key: t.ingest });
  expectStatus(stack, res, 202);
  const e = await one(id);
  assert.equal(e.sessionId, 'sess-promo');
  assert.equal(e.shopId, 'shop-promo');
  const q = await stack.get('/api/v1/events?sessionId=sess-promo', { key: t.secret });
  assert.deepEqual(q.body.data.map((x) => x.messageId), [id]);
});

test('messageId aliases id and message_id; ts and timestamp as ISO or epoch ms', async () => {
  const ids = [uid('mid'), uid('mid'), uid('mid')];
  const when = Date.UTC(2024, 4, 17, 12, 30, 45, 123);
  const res = await stack.post('/api/v1/events', [
    { id: ids[0], event: 'mid', userId: 'mid', ts: when },
    { message_id: ids[1], event: 'mid', userId: 'mid', timestamp: new Date(when).toISOString() },
    { messageId: ids[2], event: 'mid', userId: 'mid', timestamp: '2024-05-17T14:30:45.123+02:00' },
  ], { key: t.ingest });
  expectStatus(stack, res, 202);
  const found = await byId(ids);
  for (const id of ids) assert.equal(found[id][0].timestamp, '2024-05-17T12:30:45.123Z');
});

test('a message without messageId gets a generated one; identical messages are both stored', async () => {
  const ev = `gen_${Date.now()}`;
  const m = { event: ev, userId: 'gen' };
  expectStatus(stack, await stack.post('/api/v1/events', m, { key: t.ingest }), 202);
  expectStatus(stack, await stack.post('/api/v1/events', m, { key: t.ingest }), 202);
  const rows = await stack.allEvents(t.secret, `event=${ev}`);
  assert.equal(rows.length, 2);
  assert.notEqual(rows[0].messageId, rows[1].messageId);
  for (const r of rows) assert.ok(r.messageId.length >= 16);
});

// ---- sentAt ----

test('sentAt corrects the timestamp by receivedAt - sentAt (client clock ahead by 1 h)', async () => {
  const id = uid('skew');
  const skew = 3600 * 1000;
  const clientNow = Date.now() + skew;
  const res = await stack.post('/api/v1/events', { messageId: id, event: 'skew', userId: 'skew',
    timestamp: new Date(clientNow - 5 * 60000).toISOString(), sentAt: new Date(clientNow).toISOString() },
  { key: t.ingest });
  expectStatus(stack, res, 202);
  const e = await one(id);
  const expected = Date.parse(e.receivedAt) - 5 * 60000;
  assert.ok(near(e.timestamp, expected, 3000), `timestamp ${e.timestamp}, expected about ${new Date(expected).toISOString()}`);
});

test('a Segment batch\'s sentAt corrects each message (client clock behind by 2 h)', async () => {
  const ids = [uid('bskew'), uid('bskew')];
  const clientNow = Date.now() - 2 * 3600 * 1000;
  const res = await stack.post('/v1/batch', {
    sentAt: new Date(clientNow).toISOString(),
    batch: [
      { type: 'track', messageId: ids[0], event: 'bskew', userId: 'skew', timestamp: new Date(clientNow - 10000).toISOString() },
      { type: 'track', messageId: ids[1], event: 'bskew', userId: 'skew', timestamp: new Date(clientNow - 60000).toISOString() },
    ],
  }, { key: t.ingest });
  expectStatus(stack, res, 200);
  const found = await byId(ids);
  const a = found[ids[0]][0];
  const b = found[ids[1]][0];
  assert.ok(near(a.timestamp, Date.parse(a.receivedAt) - 10000, 3000), a.timestamp);
  assert.ok(near(b.timestamp, Date.parse(b.receivedAt) - 60000, 3000), b.timestamp);
});

// ---- dedup ----

test('dedup: replaying a batch is acknowledged as duplicates and not stored twice', async () => {
  const ids = [uid('dup'), uid('dup'), uid('dup')];
  const batch = { events: ids.map((messageId) => ({ messageId, event: 'dup', userId: 'dup' })) };
  const first = await stack.post('/api/v1/events', batch, { key: t.ingest });
  expectStatus(stack, first, 202);
  assert.deepEqual([first.body.accepted, first.body.duplicates], [3, 0]);
  const again = await stack.post('/api/v1/events', batch, { key: t.ingest });
  expectStatus(stack, again, 202);
  assert.deepEqual([again.body.accepted, again.body.duplicates], [0, 3]);
  // partly new
  const mixed = await stack.post('/api/v1/events', [{ messageId: ids[0], event: 'dup', userId: 'dup' },
    { messageId: uid('dup'), event: 'dup', userId: 'dup' }], { key: t.ingest });
  assert.deepEqual([mixed.body.accepted, mixed.body.duplicates], [1, 1]);
  const found = await byId(ids);
  for (const id of ids) assert.equal(found[id].length, 1);
});

test('dedup: the same messageId twice in one batch is stored once', async () => {
  const id = uid('dup-in');
  const res = await stack.post('/api/v1/events', [
    { messageId: id, event: 'dup_in', userId: 'dup' },
    { messageId: id, event: 'dup_in', userId: 'dup' },
  ], { key: t.ingest });
  expectStatus(stack, res, 202);
  assert.equal(res.body.accepted, 1);
  assert.equal(res.body.duplicates, 1);
  assert.equal((await byId([id]))[id].length, 1);
});

test('dedup: a replay on a Segment route, and across routes, is stored once', async () => {
  const id = uid('dup-seg');
  const body = { batch: [{ type: 'track', messageId: id, event: 'dup_seg', userId: 'dup' }] };
  expectStatus(stack, await stack.post('/v1/batch', body, { key: t.ingest }), 200);
  expectStatus(stack, await stack.post('/v1/batch', body, { key: t.ingest }), 200);
  expectStatus(stack, await stack.post('/api/v1/track', body.batch[0], { key: t.ingest }), 200);
  const native = await stack.post('/api/v1/events', body.batch[0], { key: t.ingest });
  assert.deepEqual([native.body.accepted, native.body.duplicates], [0, 1]);
  assert.equal((await byId([id]))[id].length, 1);
});

// ---- content types and gzip ----

test('Content-Type: application/json (with charset), text/plain and none are accepted', async () => {
  for (const ct of ['application/json', 'application/json; charset=utf-8', 'text/plain', 'text/plain;charset=UTF-8', null]) {
    const id = uid('ct');
    const headers = ct ? { 'Content-Type': ct } : {};
    const res = await stack.request('POST', '/api/v1/events', { key: t.ingest, headers,
      body: Buffer.from(JSON.stringify({ messageId: id, event: 'ct', userId: 'ct' })) });
    expectStatus(stack, res, 202);
    await one(id);
  }
});

test('another Content-Type is 415', async () => {
  for (const ct of ['application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    const id = uid('ct415');
    const res = await stack.request('POST', '/api/v1/events', { key: t.ingest, headers: { 'Content-Type': ct },
      body: JSON.stringify({ messageId: id, event: 'ct', userId: 'ct' }) });
    expectError(stack, res, 415);
    assert.deepEqual(await byId([id]), {});
  }
});

test('gzip bodies are accepted on native and Segment routes', async () => {
  const ids = [uid('gz'), uid('gz')];
  const native = await stack.request('POST', '/api/v1/events', { key: t.ingest,
    headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
    body: zlib.gzipSync(JSON.stringify({ events: [{ messageId: ids[0], event: 'gz', userId: 'gz', properties: { pad: 'z'.repeat(5000) } }] })) });
  expectStatus(stack, native, 202);
  assert.equal(native.body.accepted, 1);
  const seg = await stack.request('POST', '/v1/batch', { key: t.ingest,
    headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
    body: zlib.gzipSync(JSON.stringify({ batch: [{ type: 'track', messageId: ids[1], event: 'gz', userId: 'gz' }] })) });
  expectStatus(stack, seg, 200);
  const found = await byId(ids);
  assert.equal(found[ids[0]][0].properties.pad.length, 5000);
  assert.ok(found[ids[1]]);
});

test('a body claiming gzip that is not gzip (or is truncated) is 400', async () => {
  const id = uid('notgz');
  const plain = Buffer.from(JSON.stringify({ messageId: id, event: 'gz', userId: 'gz' }));
  const headers = { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' };
  expectError(stack, await stack.request('POST', '/api/v1/events', { key: t.ingest, headers, body: plain }), 400);
  const gz = zlib.gzipSync(plain);
  expectError(stack, await stack.request('POST', '/api/v1/events', { key: t.ingest, headers,
    body: gz.subarray(0, gz.length - 6) }), 400);
  expectError(stack, await stack.request('POST', '/v1/batch', { key: t.ingest, headers, body: plain }), 400);
  assert.deepEqual(await byId([id]), {});
});

test('a gzip body that inflates beyond 1 MiB is refused (413 or 400), nothing stored', async () => {
  const id = uid('bomb');
  const big = JSON.stringify({ messageId: id, event: 'bomb', userId: 'gz', properties: { pad: 'a'.repeat(2 * 1024 * 1024) } });
  const res = await stack.request('POST', '/api/v1/events', { key: t.ingest,
    headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, body: zlib.gzipSync(big) });
  assert.ok(res.status === 413 || res.status === 400, `status ${res.status}`);
  expectError(stack, res, res.status);
  assert.deepEqual(await byId([id]), {});
});
