// SPEC §4.3 under load: many clients at once through the worker pool and its
// group commit. Every 2xx means the accepted messages are committed before the
// answer; concurrent replays of one messageId are stored once; acknowledged
// events survive a restart of the pool.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, expectStatus } from './lib/stack.js';

let stack;
let t;

before(async () => {
  stack = await startStack();
  t = await stack.tenant('busy');
});

after(async () => {
  if (stack) await stack.stop();
});

test('40 concurrent clients × 10 batches: every acknowledged event is stored once', async () => {
  const clients = 40;
  const batches = 10;
  const per = 12;
  let accepted = 0;
  const readAfterWrite = [];
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    for (let b = 0; b < batches; b++) {
      const events = Array.from({ length: per }, (_, i) => ({ messageId: `load-${c}-${b}-${i}`, event: 'load', userId: `c${c}`,
        properties: { c, b, i } }));
      const res = await stack.post('/api/v1/events', { events }, { key: t.ingest });
      expectStatus(stack, res, 202);
      accepted += res.body.accepted;
      if (b === batches - 1) {
        // the 202 came after the commit: a read right now sees the batch
        const r = await stack.get(`/api/v1/events?userId=c${c}&limit=1000`, { key: t.secret });
        readAfterWrite.push(r.body.data.length);
      }
    }
  }));
  assert.equal(accepted, clients * batches * per);
  for (const n of readAfterWrite) assert.equal(n, batches * per);
  const rows = await stack.allEvents(t.secret, 'event=load');
  assert.equal(rows.length, clients * batches * per);
  assert.equal(new Set(rows.map((e) => e.messageId)).size, rows.length);
});

test('the same batch posted by 12 clients at once is stored exactly once', async () => {
  const events = Array.from({ length: 25 }, (_, i) => ({ messageId: `race-${i}`, event: 'race', userId: 'racer' }));
  const answers = await Promise.all(Array.from({ length: 12 }, (_, k) => (k % 2
    ? stack.post('/api/v1/events', { events }, { key: t.ingest })
    : stack.post('/v1/batch', { batch: events.map((e) => ({ type: 'track', ...e })) }, { key: t.ingest }))));
  let accepted = 0;
  for (const [k, res] of answers.entries()) {
    if (k % 2) {
      expectStatus(stack, res, 202);
      assert.equal(res.body.accepted + res.body.duplicates, 25, res.text);
      accepted += res.body.accepted;
    } else {
      expectStatus(stack, res, 200);
      assert.deepEqual(res.body, { success: true });
    }
  }
  assert.ok(accepted <= 25);
  const rows = await stack.allEvents(t.secret, 'event=race');
  assert.equal(rows.length, 25);
  assert.equal(new Set(rows.map((e) => e.messageId)).size, 25);
});

test('reads and deletes interleaved with ingest stay consistent', async () => {
  const writers = Array.from({ length: 8 }, async (_, w) => {
    for (let i = 0; i < 15; i++) {
      const res = await stack.post('/api/v1/events', [{ messageId: `mix-${w}-${i}`, event: 'mixed', userId: `mixer-${w % 2}` }],
        { key: t.ingest });
      expectStatus(stack, res, 202);
    }
  });
  const readers = Array.from({ length: 4 }, async () => {
    for (let i = 0; i < 15; i++) {
      const res = await stack.get('/api/v1/events?event=mixed&limit=100', { key: t.secret });
      expectStatus(stack, res, 200);
    }
  });
  await Promise.all([...writers, ...readers]);
  const res = await stack.del('/api/v1/users/mixer-0', { key: t.secret });
  expectStatus(stack, res, 200);
  assert.equal(res.body.deleted.events, 60);
  const left = await stack.allEvents(t.secret, 'event=mixed');
  assert.equal(left.length, 60);
  assert.ok(left.every((e) => e.userId === 'mixer-1'));
});

test('acknowledged events survive a restart of nginx and the worker pool', async () => {
  const events = Array.from({ length: 30 }, (_, i) => ({ messageId: `durable-${i}`, event: 'durable', userId: 'd' }));
  expectStatus(stack, await stack.post('/api/v1/events', events, { key: t.ingest }), 202);
  await stack.restart();
  const rows = await stack.allEvents(t.secret, 'event=durable');
  assert.equal(rows.length, 30);
  // the keys and the dedup state survive too
  const again = await stack.post('/api/v1/events', events, { key: t.ingest });
  expectStatus(stack, again, 202);
  assert.deepEqual([again.body.accepted, again.body.duplicates], [0, 30]);
});
