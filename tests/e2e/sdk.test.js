// The real Segment Node SDK (@segment/analytics-node, pinned in package.json)
// pointed at tally: SPEC §4.2 says an SDK configured with host
// https://HOST or https://HOST/api works unchanged. The SDK builds
// new URL('/v1/batch', host), dropping "/api", so it posts to /v1/batch,
// which nginx rewrites to /api/v1/batch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Analytics } from '@segment/analytics-node';
import { startStack, expectStatus } from './lib/stack.js';

let stack;
let t;

before(async () => {
  stack = await startStack();
  t = await stack.tenant('sdk');
});

after(async () => {
  if (stack) await stack.stop();
});

/** An SDK client that records its HTTP requests and errors. */
function client(settings) {
  const analytics = new Analytics({ flushAt: 1, maxRetries: 1, httpRequestTimeout: 10000, ...settings });
  const requests = [];
  const errors = [];
  analytics.on('http_request', (r) => requests.push(r));
  analytics.on('error', (e) => errors.push(e));
  return { analytics, requests, errors };
}

/** Calls an SDK method and resolves with its callback's (err, ctx). */
function call(analytics, method, params) {
  return new Promise((resolve) => {
    analytics[method](params, (err, ctx) => resolve({ err, ctx }));
  });
}

async function events(query) {
  return stack.allEvents(t.secret, query);
}

test('analytics-node with host http://HOST/api: track, identify, page land in tally', async () => {
  const { analytics, requests, errors } = client({ writeKey: t.ingest, host: `${stack.base}/api` });
  const userId = 'sdk-user-1';
  const results = [];
  results.push(await call(analytics, 'identify', { userId, anonymousId: 'sdk-anon-1',
    traits: { email: 'sdk@example.com', plan: 'enterprise', seats: 12 } }));
  results.push(await call(analytics, 'track', { userId, event: 'Order Completed',
    properties: { orderId: 'o-1', total: 42.5, currency: 'EUR', items: [{ sku: 'A', qty: 1 }] } }));
  results.push(await call(analytics, 'page', { userId, category: 'Docs', name: 'Getting Started',
    properties: { url: 'https://example.com/docs', path: '/docs' } }));
  await analytics.closeAndFlush({ timeout: 15000 });

  assert.deepEqual(errors, [], `SDK errors: ${errors.map((e) => JSON.stringify(e)).join('; ')}`);
  for (const r of results) assert.equal(r.err, undefined, String(r.err && (r.err.message || JSON.stringify(r.err))));
  assert.ok(requests.length >= 3, 'one HTTP request per message with flushAt: 1');
  for (const r of requests) assert.equal(r.url, `${stack.base}/v1/batch`);
  for (const r of requests) assert.match(r.headers.Authorization || r.headers.authorization || '', /^Basic /);

  const rows = await events(`userId=${userId}`);
  const byType = Object.fromEntries(rows.map((e) => [e.type, e]));
  assert.deepEqual(Object.keys(byType).sort(), ['identify', 'page', 'track']);
  const ctxIds = results.map((r) => r.ctx.event.messageId);
  assert.deepEqual(rows.map((e) => e.messageId).sort(), [...ctxIds].sort(), 'the SDK\'s messageIds are kept');

  const track = byType.track;
  assert.equal(track.event, 'Order Completed');
  assert.deepEqual(track.properties, { orderId: 'o-1', total: 42.5, currency: 'EUR', items: [{ sku: 'A', qty: 1 }] });
  assert.equal(track.context.library.name, '@segment/analytics-node');
  const page = byType.page;
  assert.equal(page.properties.path, '/docs');
  assert.equal(byType.identify.anonymousId, 'sdk-anon-1');
  // the SDK's own timestamps (and sentAt) are honoured
  for (const r of results) {
    const sent = Date.parse(r.ctx.event.timestamp);
    const row = rows.find((e) => e.messageId === r.ctx.event.messageId);
    assert.ok(Math.abs(Date.parse(row.timestamp) - sent) < 5000, `${row.timestamp} vs ${r.ctx.event.timestamp}`);
  }

  const prof = await stack.get(`/api/v1/users/${userId}`, { key: t.secret });
  expectStatus(stack, prof, 200);
  assert.deepEqual(prof.body.data.traits, { email: 'sdk@example.com', plan: 'enterprise', seats: 12 });
  assert.equal(prof.body.data.eventCount, 3);
  assert.ok(prof.body.data.aliases.includes('sdk-anon-1'));
});

test('analytics-node with host http://HOST, batching several messages, group/screen/alias', async () => {
  const { analytics, requests, errors } = client({ writeKey: t.ingest, host: stack.base, flushAt: 4, flushInterval: 500 });
  const userId = 'sdk-user-2';
  const calls = [
    call(analytics, 'track', { userId, event: 'Signed Up', properties: { n: 1 } }),
    call(analytics, 'group', { userId, groupId: 'sdk-org', traits: { name: 'Org' } }),
    call(analytics, 'screen', { userId, name: 'Home' }),
    call(analytics, 'alias', { userId, previousId: 'sdk-legacy-2' }),
  ];
  const results = await Promise.all(calls);
  await analytics.closeAndFlush({ timeout: 15000 });
  assert.deepEqual(errors, []);
  for (const r of results) assert.equal(r.err, undefined);
  assert.ok(requests.length >= 1 && requests.length < 4, `batched into ${requests.length} request(s)`);
  const rows = await events(`userId=${userId}`);
  assert.deepEqual(rows.map((e) => e.type).sort(), ['alias', 'group', 'screen', 'track']);
  assert.equal(rows.find((e) => e.type === 'group').groupId, 'sdk-org');
  assert.equal(rows.find((e) => e.type === 'alias').previousId, 'sdk-legacy-2');
  const prof = await stack.get(`/api/v1/users/${userId}`, { key: t.secret });
  expectStatus(stack, prof, 200);
  assert.ok(prof.body.data.aliases.includes('sdk-legacy-2'));
});

test('analytics-node with an explicit path /api/v1/batch', async () => {
  const { analytics, requests, errors } = client({ writeKey: t.ingest, host: stack.base, path: '/api/v1/batch' });
  const res = await call(analytics, 'track', { anonymousId: 'sdk-anon-3', event: 'Path Option' });
  await analytics.closeAndFlush({ timeout: 15000 });
  assert.deepEqual(errors, []);
  assert.equal(res.err, undefined);
  assert.equal(requests[0].url, `${stack.base}/api/v1/batch`);
  const rows = await events('anonymousId=sdk-anon-3');
  assert.equal(rows.length, 1);
  assert.equal(rows[0].event, 'Path Option');
});

test('analytics-node with a wrong write key reports an error and stores nothing', async () => {
  const bogus = `tk_pub_${'Z'.repeat(t.ingest.length - 7)}`;
  const { analytics, errors } = client({ writeKey: bogus, host: stack.base, maxRetries: 0 });
  const res = await call(analytics, 'track', { userId: 'sdk-bogus', event: 'Should Not Land' });
  await analytics.closeAndFlush({ timeout: 15000 });
  assert.ok(res.err || errors.length > 0, 'the SDK sees the refusal');
  assert.deepEqual(await events('userId=sdk-bogus'), []);
});
