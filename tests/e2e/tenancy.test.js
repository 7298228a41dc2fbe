// SPEC §2/§3: a key determines its project; one project's secret key never
// sees, counts or erases another project's data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, expectStatus, expectError } from './lib/stack.js';

let stack;
let a;
let b;

before(async () => {
  stack = await startStack();
  a = await stack.tenant('tenant-a');
  b = await stack.tenant('tenant-b');
  // the same user ids and message ids on both sides
  const batch = (side) => ({
    events: [
      { messageId: 'shared-1', event: 'signup', userId: 'alice', properties: { side } },
      { messageId: 'shared-2', event: 'purchase', userId: 'alice', properties: { side } },
      { messageId: `only-${side}`, event: `only_${side}`, userId: `user-${side}`, sessionId: `s-${side}`,
        conversationId: `c-${side}`, shopId: `shop-${side}`, properties: { side } },
    ],
  });
  for (const [t, side] of [[a, 'a'], [b, 'b']]) {
    const res = await stack.post('/api/v1/events', batch(side), { key: t.ingest });
    expectStatus(stack, res, 202);
    assert.equal(res.body.accepted, 3, `project ${side}: the same messageIds as the other project are stored`);
    const id = await stack.post('/api/v1/identify', { userId: 'alice', anonymousId: `anon-${side}`,
      traits: { plan: side } }, { key: t.ingest });
    expectStatus(stack, id, 200);
    const al = await stack.post('/api/v1/alias', { previousId: `old-${side}`, userId: 'alice' }, { key: t.ingest });
    expectStatus(stack, al, 200);
  }
});

after(async () => {
  if (stack) await stack.stop();
});

test('GET /api/v1/events lists only the key\'s project', async () => {
  const rowsA = await stack.allEvents(a.secret);
  const rowsB = await stack.allEvents(b.secret);
  assert.ok(rowsA.length >= 3 && rowsB.length >= 3);
  for (const e of rowsA) assert.notEqual(e.properties && e.properties.side, 'b', JSON.stringify(e));
  for (const e of rowsB) assert.notEqual(e.properties && e.properties.side, 'a', JSON.stringify(e));
  assert.ok(!rowsA.some((e) => e.messageId === 'only-b'));
  assert.ok(!rowsB.some((e) => e.messageId === 'only-a'));
  assert.ok(!rowsA.some((e) => e.anonymousId === 'anon-b'));
});

test('filters never reach into another project', async () => {
  for (const q of ['userId=user-b', 'sessionId=s-b', 'conversationId=c-b', 'shopId=shop-b', 'event=only_b',
    'anonymousId=anon-b']) {
    const res = await stack.get(`/api/v1/events?${q}`, { key: a.secret });
    expectStatus(stack, res, 200);
    assert.deepEqual(res.body.data, [], `A's key sees B's data with ${q}`);
    const own = await stack.get(`/api/v1/events?${q}`, { key: b.secret });
    assert.ok(own.body.data.length >= 1, `B's key finds its own data with ${q}`);
  }
  const shared = await stack.get('/api/v1/events?userId=alice&event=signup', { key: a.secret });
  assert.equal(shared.body.data.length, 1);
  assert.equal(shared.body.data[0].properties.side, 'a');
});

test('a cursor from one project does not reveal the other project\'s rows', async () => {
  const pageB = await stack.get('/api/v1/events?limit=1', { key: b.secret });
  expectStatus(stack, pageB, 200);
  assert.ok(pageB.body.next_cursor);
  const viaA = await stack.get(`/api/v1/events?limit=1000&cursor=${encodeURIComponent(pageB.body.next_cursor)}`,
    { key: a.secret });
  if (viaA.status === 200) {
    for (const e of viaA.body.data) assert.notEqual(e.properties && e.properties.side, 'b');
  } else {
    expectError(stack, viaA, 400);
  }
});

test('GET /api/v1/users/{id} shows only the key\'s project profile', async () => {
  const ra = await stack.get('/api/v1/users/alice', { key: a.secret });
  const rb = await stack.get('/api/v1/users/alice', { key: b.secret });
  expectStatus(stack, ra, 200);
  expectStatus(stack, rb, 200);
  assert.deepEqual(ra.body.data.traits, { plan: 'a' });
  assert.deepEqual(rb.body.data.traits, { plan: 'b' });
  assert.ok(ra.body.data.aliases.includes('old-a'));
  assert.ok(!ra.body.data.aliases.includes('old-b'));
  assert.ok(!ra.body.data.aliases.includes('anon-b'));
  assert.equal(ra.body.data.eventCount, rb.body.data.eventCount);
  // a user who exists only in B is unknown to A
  expectError(stack, await stack.get('/api/v1/users/user-b', { key: a.secret }), 404, 'not_found');
  expectStatus(stack, await stack.get('/api/v1/users/user-b', { key: b.secret }), 200);
});

test('DELETE /api/v1/users/{id} of a user only in B: zeros for A, B untouched', async () => {
  const before = await stack.allEvents(b.secret, 'userId=user-b');
  const res = await stack.del('/api/v1/users/user-b', { key: a.secret });
  expectStatus(stack, res, 200);
  assert.deepEqual(res.body.deleted, { events: 0, profiles: 0, aliases: 0 });
  const after = await stack.allEvents(b.secret, 'userId=user-b');
  assert.equal(after.length, before.length);
  assert.ok(after.length >= 1);
});

test('DELETE of a user present in both projects erases only the caller\'s', async () => {
  const bEventsBefore = await stack.allEvents(b.secret);
  const res = await stack.del('/api/v1/users/alice', { key: a.secret });
  expectStatus(stack, res, 200);
  assert.ok(res.body.deleted.events >= 3, JSON.stringify(res.body));
  assert.equal(res.body.deleted.profiles, 1);
  assert.deepEqual(await stack.allEvents(a.secret, 'userId=alice'), []);
  expectError(stack, await stack.get('/api/v1/users/alice', { key: a.secret }), 404, 'not_found');

  const rb = await stack.get('/api/v1/users/alice', { key: b.secret });
  expectStatus(stack, rb, 200);
  assert.deepEqual(rb.body.data.traits, { plan: 'b' });
  assert.ok(rb.body.data.aliases.includes('old-b'));
  const bEventsAfter = await stack.allEvents(b.secret);
  assert.deepEqual(bEventsAfter.map((e) => e.messageId).sort(), bEventsBefore.map((e) => e.messageId).sort());
});

test('replaying B\'s message ids with A\'s key is stored in A, not deduplicated against B', async () => {
  const res = await stack.post('/api/v1/events', [
    { messageId: 'only-b', event: 'cross', userId: 'zed' },
  ], { key: a.ingest });
  expectStatus(stack, res, 202);
  assert.equal(res.body.accepted, 1);
  assert.equal(res.body.duplicates, 0);
  const inB = await stack.allEvents(b.secret, 'event=cross');
  assert.equal(inB.length, 0);
});
