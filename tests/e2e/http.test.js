// SPEC §7/§8 at the HTTP level: health, unknown routes and methods, %00,
// request ids (header = body, stored with the event, logged), CORS
// preflights for ingest and reads, TLS, and the request log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, expectStatus, expectError, uid } from './lib/stack.js';

let stack;
let t;

before(async () => {
  stack = await startStack();
  t = await stack.tenant('web');
});

after(async () => {
  if (stack) await stack.stop();
});

// ---- health ----

test('GET /api/health without credentials: status, version, uptime, database, checks', async () => {
  const res = await stack.get('/api/health');
  expectStatus(stack, res, 200);
  const h = res.body;
  assert.equal(h.status, 'ok');
  assert.equal(typeof h.version, 'string');
  assert.match(h.version, /^\d+\.\d+/);
  assert.ok(Number.isInteger(h.uptime_s) && h.uptime_s >= 0);
  assert.equal(h.database, 'ok');
  assert.ok(Number.isInteger(h.events_processed) && h.events_processed >= 0);
  assert.equal(typeof h.checks, 'object');
  assert.match(res.headers['content-type'], /^application\/json/);
  assert.ok(res.headers['x-request-id']);
});

test('/health and /v1/health are the same health answer', async () => {
  for (const p of ['/health', '/v1/health']) {
    const res = await stack.get(p);
    expectStatus(stack, res, 200);
    assert.equal(res.body.status, 'ok', p);
    assert.equal(res.body.database, 'ok', p);
  }
});

test('health counts events processed across the whole worker pool', async () => {
  const before = (await stack.get('/api/health')).body.events_processed;
  for (let i = 0; i < 8; i++) {
    expectStatus(stack, await stack.post('/api/v1/events', [{ event: 'hc', userId: 'hc' }, { event: 'hc', userId: 'hc' }],
      { key: t.ingest }), 202);
  }
  // whichever worker answers, it reports the pool's total
  for (let i = 0; i < 6; i++) {
    const h = (await stack.get('/api/health')).body;
    assert.ok(h.events_processed >= before + 16, `events_processed ${h.events_processed}, expected >= ${before + 16}`);
  }
});

// ---- unknown routes, methods, %00 ----

test('unknown paths are 404 in the error shape (worker and nginx)', async () => {
  for (const p of ['/api/v1/nope', '/api/v2/events', '/api/v1/events/extra', '/api/v1/users', '/api/v1/users/a/b',
    '/nope', '/v1/nope', '/api/healthz']) {
    const res = await stack.get(p, { key: t.secret });
    expectError(stack, res, 404, 'not_found');
  }
});

test('wrong methods are 405 with an Allow header', async () => {
  const cases = [
    ['PUT', '/api/v1/events', ['GET', 'POST']],
    ['DELETE', '/api/v1/events', ['GET', 'POST']],
    ['PATCH', '/api/v1/events', ['GET', 'POST']],
    ['GET', '/api/v1/track', ['POST']],
    ['GET', '/api/v1/batch', ['POST']],
    ['GET', '/v1/batch', ['POST']],
    ['PUT', '/api/v1/identify', ['POST']],
    ['POST', '/api/v1/users/someone', ['DELETE', 'GET']],
    ['PATCH', '/api/v1/users/someone', ['DELETE', 'GET']],
    ['POST', '/api/health', ['GET']],
    ['DELETE', '/health', ['GET']],
  ];
  for (const [method, p, allowed] of cases) {
    const opts = { key: t.secret };
    if (method !== 'GET' && method !== 'DELETE') opts.json = {};
    const res = await stack.request(method, p, opts);
    expectError(stack, res, 405, 'method_not_allowed');
    const allow = (res.headers.allow || '').split(',').map((s) => s.trim()).filter(Boolean).sort();
    assert.deepEqual(allow, allowed, `${method} ${p}: Allow: ${res.headers.allow}`);
  }
});

test('unknown methods are 400 or 405, never 501', async () => {
  for (const method of ['FOO', 'PROPFIND', 'TRACE']) {
    const res = await stack.request(method, '/api/v1/events', { key: t.secret });
    assert.ok(res.status === 400 || res.status === 405, `${method}: ${res.status} ${res.text}`);
    expectError(stack, res, res.status);
  }
});

test('HEAD /api/health answers without a body', async () => {
  const res = await stack.request('HEAD', '/api/health');
  assert.ok(res.status === 200 || res.status === 405, `HEAD: ${res.status}`);
  assert.equal(res.text, '');
});

test('%00 in the path or the query is 400 in the error shape', async () => {
  const failures = [];
  for (const p of ['/api/v1/users/a%00b', '/api/v1/events%00', '/api/health%00', '/nope%00',
    '/api/v1/events?userId=a%00b', '/api/v1/events?a%00=1', '/api/health?x=%00']) {
    const res = await stack.get(p, { key: t.secret });
    try { expectError(stack, res, 400); } catch (e) { failures.push(e.message.split('\n')[0].slice(0, 160)); }
  }
  const res = await stack.post('/api/v1/events?x=%00', { event: 'nul_path', userId: 'u' }, { key: t.ingest });
  expectError(stack, res, 400);
  assert.deepEqual(await stack.allEvents(t.secret, 'event=nul_path'), []);
  assert.deepEqual(failures, []);
});

test('malformed percent-escapes in the query are 400', async () => {
  for (const q of ['userId=%zz', 'userId=%4', 'userId=%']) {
    const res = await stack.get(`/api/v1/events?${q}`, { key: t.secret });
    expectError(stack, res, 400);
  }
});

// ---- request ids ----

test('X-Request-Id on every response equals the body\'s request_id', async () => {
  const responses = [
    await stack.get('/api/health'),
    await stack.post('/api/v1/events', { event: 'rid', userId: 'rid' }, { key: t.ingest }),
    await stack.post('/api/v1/events', { event: 'rid' }, { key: t.ingest }),
    await stack.post('/api/v1/events', { event: 'rid', userId: 'rid' }),
    await stack.get('/api/v1/events', { key: t.ingest }),
    await stack.get('/api/v1/events?limit=5000', { key: t.secret }),
    await stack.request('PUT', '/api/v1/events', { key: t.secret }),
    await stack.get('/nope'),
    await stack.get('/api/v1/nope'),
    await stack.post('/v1/track', { event: 'rid', userId: 'rid' }, { key: t.ingest }),
    await stack.get('/api/v1/users/nobody', { key: t.secret }),
  ];
  const seen = new Set();
  for (const res of responses) {
    const rid = res.headers['x-request-id'];
    assert.match(rid || '', /^[0-9a-f]{32}$/, `${res.method} ${res.path}: X-Request-Id ${rid}`);
    assert.ok(!seen.has(rid), 'request ids are unique');
    seen.add(rid);
    if (res.status >= 400) expectError(stack, res, res.status);
    else if (res.body && 'request_id' in res.body) assert.equal(res.body.request_id, rid);
  }
});

test('the ingest request id is stored with each event', async () => {
  const id = uid('rid');
  const res = await stack.post('/api/v1/events', { messageId: id, event: 'rid_stored', userId: 'rid' }, { key: t.ingest });
  expectStatus(stack, res, 202);
  const [e] = await stack.allEvents(t.secret, 'event=rid_stored');
  assert.equal(e.requestId, res.headers['x-request-id']);
});

test('each request is logged as one JSON line with its request id, route and status', async () => {
  const ok = await stack.post('/api/v1/events', { event: 'logged', userId: 'log' }, { key: t.ingest });
  const bad = await stack.get('/api/v1/events?limit=0', { key: t.secret });
  const rids = [ok.headers['x-request-id'], bad.headers['x-request-id']];
  let lines = [];
  for (let i = 0; i < 20; i++) {
    lines = stack.workerLog().filter((l) => rids.includes(l.request_id));
    if (lines.length === 2) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(lines.length, 2, `worker.log lines for ${rids.join(', ')}; the log holds:\n${stack.workerLog().slice(-5).map((l) => JSON.stringify(l)).join('\n')}`);
  const [a, b] = rids.map((r) => lines.find((l) => l.request_id === r));
  for (const l of [a, b]) {
    for (const k of ['time', 'level', 'request_id', 'method', 'route', 'status', 'duration_us']) assert.ok(k in l, `log field ${k}: ${JSON.stringify(l)}`);
  }
  assert.equal(a.status, 202);
  assert.equal(a.method, 'POST');
  assert.equal(b.status, 400);
});

// ---- CORS ----

function preflight(p, origin, method, headers = 'authorization, content-type') {
  const h = { Origin: origin, 'Access-Control-Request-Method': method };
  if (headers) h['Access-Control-Request-Headers'] = headers;
  return stack.request('OPTIONS', p, { headers: h });
}

test('CORS preflight for ingest (POST) is allowed from any origin', async () => {
  for (const p of ['/api/v1/events', '/api/v1/batch', '/v1/batch', '/v1/track', '/api/events']) {
    for (const origin of ['https://customer-site.example', 'http://localhost:3000', 'null']) {
      const res = await preflight(p, origin, 'POST');
      assert.ok(res.status === 204 || res.status === 200, `${p} from ${origin}: ${res.status} ${res.text}`);
      assert.equal(res.headers['access-control-allow-origin'], '*', `${p} from ${origin}`);
      assert.match(res.headers['x-request-id'] || '', /^[0-9a-f]{32}$/, 'X-Request-Id on the preflight too');
      const methods = res.headers['access-control-allow-methods'] || '';
      assert.match(methods, /POST/);
      const allowHeaders = (res.headers['access-control-allow-headers'] || '').toLowerCase();
      for (const h of ['authorization', 'content-type', 'x-api-key', 'content-encoding']) assert.ok(allowHeaders.includes(h), `allows ${h}: ${allowHeaders}`);
    }
  }
});

test('CORS: an ingest POST from any origin carries Access-Control-Allow-Origin: *', async () => {
  const res = await stack.post('/api/v1/events', { event: 'cors', userId: 'cors' },
    { key: t.ingest, headers: { Origin: 'https://customer-site.example' } });
  expectStatus(stack, res, 202);
  assert.equal(res.headers['access-control-allow-origin'], '*');
  assert.match(res.headers['access-control-expose-headers'] || '', /X-Request-Id/i);
});

test('CORS preflight for reads (GET) is allowed only from local dashboard origins', async () => {
  for (const origin of ['http://localhost:3000', 'http://127.0.0.1:8080', 'https://localhost', 'http://localhost']) {
    for (const p of ['/api/v1/events', '/api/v1/users/x']) {
      const res = await preflight(p, origin, 'GET');
      assert.ok(res.status === 204 || res.status === 200, `${p} from ${origin}: ${res.status}`);
      assert.equal(res.headers['access-control-allow-origin'], origin);
      assert.match(res.headers.vary || '', /Origin/i);
    }
  }
  const del = await preflight('/api/v1/users/x', 'http://localhost:3000', 'DELETE');
  assert.equal(del.headers['access-control-allow-origin'], 'http://localhost:3000');
});

test('CORS preflight for reads from any other origin is 403 without Allow-Origin', async () => {
  for (const origin of ['https://evil.example', 'http://localhost.evil.example', 'http://127.0.0.1.evil.example:80',
    'https://notlocalhost', 'null']) {
    for (const [p, method] of [['/api/v1/events', 'GET'], ['/api/v1/users/x', 'DELETE']]) {
      const res = await preflight(p, origin, method);
      expectError(stack, res, 403);
      assert.equal(res.headers['access-control-allow-origin'], undefined, `${method} ${p} from ${origin}`);
    }
  }
});

test('CORS: a read from a foreign origin gets no Access-Control-Allow-Origin; a local one is echoed', async () => {
  const foreign = await stack.get('/api/v1/events?limit=1', { key: t.secret, headers: { Origin: 'https://evil.example' } });
  assert.equal(foreign.headers['access-control-allow-origin'], undefined);
  const local = await stack.get('/api/v1/events?limit=1', { key: t.secret, headers: { Origin: 'http://localhost:5173' } });
  expectStatus(stack, local, 200);
  assert.equal(local.headers['access-control-allow-origin'], 'http://localhost:5173');
});

test('CORS: the control plane (login, signup, projects, keys, insights) answers only dashboard origins', async () => {
  const control = [
    ['/api/v1/auth/login', 'POST'], ['/api/v1/auth/signup', 'POST'], ['/api/v1/projects', 'POST'],
    ['/api/v1/projects/x', 'PATCH'], ['/api/v1/projects/x/keys', 'POST'], ['/api/v1/projects/x/keys/1', 'DELETE'],
    ['/api/v1/me', 'GET'], ['/api/v1/insights/generate', 'POST'],
  ];
  for (const [p, method] of control) {
    const evil = await preflight(p, 'https://evil.example', method);
    expectError(stack, evil, 403);
    assert.equal(evil.headers['access-control-allow-origin'], undefined, `${method} ${p} from a foreign origin`);
    const local = await preflight(p, 'http://localhost:5173', method);
    assert.ok(local.status === 204 || local.status === 200, `${method} ${p} from the dashboard: ${local.status}`);
    assert.equal(local.headers['access-control-allow-origin'], 'http://localhost:5173', `${method} ${p}`);
  }
  // the POST itself: no Allow-Origin for a foreign page, so its script cannot read the token
  const login = await stack.post('/api/v1/auth/login', { email: 'nobody@example.com', password: 'whatever-password' },
    { headers: { Origin: 'https://evil.example' } });
  expectError(stack, login, 401);
  assert.equal(login.headers['access-control-allow-origin'], undefined);
  // ingest stays open, also through the seeds' paths after their rewrites
  for (const p of ['/api/v1/track', '/api/v1/vote', '/api/v1/traces/batch', '/v1/traces', '/api/vote']) {
    const res = await preflight(p, 'https://customer-site.example', 'POST');
    assert.equal(res.headers['access-control-allow-origin'], '*', `${p} stays open to any origin`);
  }
});

// ---- TLS ----

test('the HTTPS listener serves the same API with the development certificate', async () => {
  const h = await stack.get('/api/health', { https: true });
  expectStatus(stack, h, 200);
  assert.equal(h.body.status, 'ok');
  const id = uid('tls');
  const res = await stack.request('POST', '/api/v1/events', { https: true, key: t.ingest,
    json: { messageId: id, event: 'tls', userId: 'tls' } });
  expectStatus(stack, res, 202);
  const read = await stack.request('GET', '/api/v1/events?event=tls', { https: true, key: t.secret });
  assert.deepEqual(read.body.data.map((e) => e.messageId), [id]);
});
