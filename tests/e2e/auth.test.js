// SPEC §3: every way a key can be presented, wrong and revoked keys, what
// an ingest key may not do, and the project headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, expectStatus, expectError, uid } from './lib/stack.js';

let stack;
let acme;
let other;

before(async () => {
  stack = await startStack();
  acme = await stack.tenant('acme');
  other = await stack.tenant('other');
});

after(async () => {
  if (stack) await stack.stop();
});

const basic = (key) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

function msg(extra = {}) {
  return { event: 'auth_probe', userId: 'u-auth', messageId: uid('auth'), ...extra };
}

async function stored(messageId) {
  const rows = await stack.allEvents(acme.secret, 'event=auth_probe');
  return rows.filter((e) => e.messageId === messageId).length;
}

test('Authorization: Bearer with an ingest key writes events', async () => {
  const m = msg();
  const res = await stack.post('/api/v1/events', m, { headers: { Authorization: `Bearer ${acme.ingest}` } });
  expectStatus(stack, res, 202);
  assert.equal(res.body.accepted, 1);
  assert.equal(await stored(m.messageId), 1);
});

test('X-API-Key header writes events', async () => {
  const m = msg();
  const res = await stack.post('/api/v1/events', m, { headers: { 'X-API-Key': acme.ingest } });
  expectStatus(stack, res, 202);
  assert.equal(await stored(m.messageId), 1);
});

test('HTTP Basic with the key as user name and an empty password writes events', async () => {
  const m = msg();
  const res = await stack.post('/api/v1/events', m, { headers: { Authorization: basic(acme.ingest) } });
  expectStatus(stack, res, 202);
  assert.equal(await stored(m.messageId), 1);
});

test('writeKey in the JSON body authenticates a Segment batch (text/plain beacon)', async () => {
  const m = msg();
  const res = await stack.request('POST', '/api/v1/batch', {
    body: JSON.stringify({ writeKey: acme.ingest, batch: [{ type: 'track', ...m }] }),
    headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
  });
  expectStatus(stack, res, 200);
  assert.equal(res.body.success, true);
  assert.equal(await stored(m.messageId), 1);
});

test('writeKey in the JSON body authenticates a native event', async () => {
  const m = msg({ writeKey: acme.ingest });
  const res = await stack.post('/api/v1/events', m);
  expectStatus(stack, res, 202);
  assert.equal(await stored(m.messageId), 1);
});

test('a secret key reads with Bearer, X-API-Key and Basic', async () => {
  for (const headers of [
    { Authorization: `Bearer ${acme.secret}` },
    { 'X-API-Key': acme.secret },
    { Authorization: basic(acme.secret) },
  ]) {
    const res = await stack.get('/api/v1/events?limit=1', { headers });
    expectStatus(stack, res, 200);
    assert.ok(Array.isArray(res.body.data));
  }
});

test('a secret key may also write', async () => {
  const m = msg();
  const res = await stack.post('/api/v1/events', m, { key: acme.secret });
  expectStatus(stack, res, 202);
  assert.equal(await stored(m.messageId), 1);
});

test('no credentials: 401 missing_credentials on write and read routes', async () => {
  const w = await stack.post('/api/v1/events', msg());
  expectError(stack, w, 401, 'missing_credentials');
  const r = await stack.get('/api/v1/events');
  expectError(stack, r, 401, 'missing_credentials');
  const u = await stack.get('/api/v1/users/u-auth');
  expectError(stack, u, 401, 'missing_credentials');
  const s = await stack.post('/v1/batch', { batch: [msg()] });
  expectError(stack, s, 401, 'missing_credentials');
});

test('unknown, malformed and mangled keys: 401 invalid_credentials', async () => {
  const unknownPub = `tk_pub_${'A'.repeat(acme.ingest.length - 7)}`;
  const unknownSec = `tk_sec_${'B'.repeat(acme.secret.length - 7)}`;
  const cases = [
    { Authorization: `Bearer ${unknownPub}` },
    { Authorization: `Bearer ${unknownSec}` },
    { Authorization: 'Bearer not-a-key' },
    { Authorization: `Bearer ${acme.ingest.slice(0, -1)}` },
    { Authorization: `Bearer ${acme.ingest}x` },
    { 'X-API-Key': unknownPub },
    { Authorization: basic(unknownPub) },
    { Authorization: `Basic ${Buffer.from(`${acme.ingest}:secret`).toString('base64')}` },
    { Authorization: 'Basic !!!notbase64' },
    { Authorization: `Token ${acme.ingest}` },
  ];
  for (const headers of cases) {
    const res = await stack.post('/api/v1/events', msg(), { headers });
    expectError(stack, res, 401, 'invalid_credentials');
  }
  const body = await stack.post('/api/v1/batch', { writeKey: unknownPub, batch: [msg()] });
  expectError(stack, body, 401, 'invalid_credentials');
  const read = await stack.get('/api/v1/events', { key: unknownSec });
  expectError(stack, read, 401, 'invalid_credentials');
});

test('a revoked ingest key is refused from the next request on', async () => {
  const k = await stack.key('acme', 'ingest', 'to-revoke');
  assert.ok(k.id, 'tallyctl key create reports the key id');
  // warm every worker with the key so a per-process cache would show
  for (let i = 0; i < 6; i++) {
    expectStatus(stack, await stack.post('/api/v1/events', msg(), { key: k.key }), 202);
  }
  await stack.revoke(k.id);
  for (let i = 0; i < 6; i++) {
    const res = await stack.post('/api/v1/events', msg(), { key: k.key });
    expectError(stack, res, 401, 'invalid_credentials');
  }
  const beacon = await stack.post('/v1/batch', { writeKey: k.key, batch: [msg()] });
  expectError(stack, beacon, 401, 'invalid_credentials');
  // the project's other keys keep working
  expectStatus(stack, await stack.post('/api/v1/events', msg(), { key: acme.ingest }), 202);
});

test('a revoked secret key can no longer read', async () => {
  const k = await stack.key('acme', 'secret', 'reader-to-revoke');
  for (let i = 0; i < 6; i++) expectStatus(stack, await stack.get('/api/v1/events?limit=1', { key: k.key }), 200);
  await stack.revoke(k.id);
  for (let i = 0; i < 6; i++) {
    expectError(stack, await stack.get('/api/v1/events?limit=1', { key: k.key }), 401, 'invalid_credentials');
  }
  const list = await stack.ctl('key', 'list', 'acme');
  const line = list.stdout.split('\n').find((l) => l.trim().startsWith(`${k.id} `));
  assert.match(line, /revoked/);
});

test('an ingest key cannot read: 403 on events and users', async () => {
  for (const headers of [{ Authorization: `Bearer ${acme.ingest}` }, { 'X-API-Key': acme.ingest },
    { Authorization: basic(acme.ingest) }]) {
    expectError(stack, await stack.get('/api/v1/events', { headers }), 403, 'forbidden');
    expectError(stack, await stack.get('/api/v1/users/u-auth', { headers }), 403, 'forbidden');
  }
});

test('an ingest key cannot delete a user (403) and nothing is erased', async () => {
  const m = msg({ userId: 'u-keep' });
  expectStatus(stack, await stack.post('/api/v1/events', m, { key: acme.ingest }), 202);
  const res = await stack.del('/api/v1/users/u-keep', { key: acme.ingest });
  expectError(stack, res, 403, 'forbidden');
  const left = await stack.allEvents(acme.secret, 'userId=u-keep');
  assert.equal(left.length, 1);
});

test('X-Project-Id / X-Tenant-Id naming the key\'s own project are accepted', async () => {
  for (const headers of [{ 'X-Project-Id': 'acme' }, { 'X-Tenant-Id': 'acme' },
    { 'X-Project-Id': String(acme.id) }]) {
    expectStatus(stack, await stack.post('/api/v1/events', msg(), { key: acme.ingest, headers }), 202);
    expectStatus(stack, await stack.get('/api/v1/events?limit=1', { key: acme.secret, headers }), 200);
  }
});

test('X-Project-Id / X-Tenant-Id naming another project: 403, nothing stored', async () => {
  const ids = [];
  for (const headers of [{ 'X-Project-Id': 'other' }, { 'X-Tenant-Id': 'other' },
    { 'X-Project-Id': String(other.id) }, { 'X-Project-Id': 'no-such-project' },
    { 'X-Project-Id': 'acme', 'X-Tenant-Id': 'other' }]) {
    const m = msg();
    ids.push(m.messageId);
    expectError(stack, await stack.post('/api/v1/events', m, { key: acme.ingest, headers }), 403, 'forbidden');
    expectError(stack, await stack.get('/api/v1/events', { key: acme.secret, headers }), 403, 'forbidden');
    expectError(stack, await stack.get('/api/v1/users/u-auth', { key: acme.secret, headers }), 403, 'forbidden');
  }
  for (const id of ids) assert.equal(await stored(id), 0);
  const inOther = await stack.allEvents(other.secret);
  assert.equal(inOther.length, 0, 'nothing landed in the other project');
});

test('keys never appear in the logs', async () => {
  // a few more requests that carry keys in every place a key can be
  await stack.post('/api/v1/events', msg(), { headers: { Authorization: basic(acme.ingest) } });
  await stack.post('/api/v1/batch', { writeKey: acme.ingest, batch: [msg()] });
  await stack.get('/api/v1/events?limit=1', { headers: { 'X-API-Key': acme.secret } });
  const text = stack.logText();
  assert.ok(text.length > 0, 'the stack wrote logs');
  for (const k of [acme.ingest, acme.secret, other.ingest, other.secret]) {
    assert.ok(!text.includes(k), `key ${k.slice(0, 12)}… found in the logs`);
    assert.ok(!text.includes(k.slice(7)), `key body of ${k.slice(0, 12)}… found in the logs`);
  }
});
