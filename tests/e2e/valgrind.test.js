// The worker pool under valgrind's memcheck (when valgrind is installed): a
// varied workload through nginx, then no memory error may be reported. Catches
// reads of uninitialised memory and overruns that only sometimes change an
// answer on a normal run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { startStack, expectStatus, expectError, BIN } from './lib/stack.js';

let valgrind = null;
try {
  valgrind = execFileSync('sh', ['-c', 'command -v valgrind'], { encoding: 'utf8' }).trim() || null;
} catch {
  valgrind = null;
}
const skip = valgrind ? false : 'valgrind is not installed';

let stack;
let t;
let logDir;

before(async () => {
  if (skip) return;
  logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-e2e-vg-'));
  const wrap = path.join(logDir, 'bin');
  fs.mkdirSync(wrap);
  fs.writeFileSync(path.join(wrap, 'tally-worker'), `#!/bin/sh
exec ${valgrind} --quiet --track-origins=yes --leak-check=no --log-file=${logDir}/vg.%p.log ${path.join(BIN, 'tally-worker')} "$@"
`, { mode: 0o755 });
  fs.symlinkSync(path.join(BIN, 'tallyctl'), path.join(wrap, 'tallyctl'));
  stack = await startStack({ workers: 1, threads: 2, bin: wrap });
  t = await stack.tenant('vg');
});

after(async () => {
  if (stack) await stack.stop();
  if (logDir && !process.env.TALLY_E2E_KEEP) fs.rmSync(logDir, { recursive: true, force: true });
});

test('under valgrind: a varied workload gets the expected answers', { skip }, async () => {
  const k = { key: t.ingest };
  const s = { key: t.secret };
  const wrong = [];
  expectStatus(stack, await stack.get('/api/health'), 200);
  expectStatus(stack, await stack.post('/api/v1/events', { events: [
    { messageId: 'vg-1', event: 'vg', userId: 'vg-user', anonymousId: 'vg-anon', properties: { a: [1, 2, { b: 'c' }] } },
    { messageId: 'vg-2', type: 'identify', userId: 'vg-user', anonymousId: 'vg-anon', traits: { plan: 'x' } },
    { id: 'vg-3', shopId: 'vg-shop', sessionId: 'vg-s', eventType: 'page_view', url: 'https://x.example/', userAgent: 'UA' },
    { message_id: 'vg-4', event_type: 'turn', user_id: 'vg-user', conversation_id: 'vg-c', ts: Date.now() - 1000 },
  ] }, k), 202);
  expectStatus(stack, await stack.request('POST', '/api/v1/events', { ...k,
    headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
    body: zlib.gzipSync(JSON.stringify([{ messageId: 'vg-5', event: 'gz', userId: 'vg-user' }])) }), 202);
  expectStatus(stack, await stack.post('/v1/batch', { batch: [{ type: 'track', event: 'seg', userId: 'vg-user' },
    { type: 'track', userId: 'vg-user' }], context: { library: { name: 'x' } }, sentAt: new Date().toISOString() }, k), 200);
  expectStatus(stack, await stack.post('/api/v1/alias', { previousId: 'vg-old', userId: 'vg-user' }, k), 200);
  expectError(stack, await stack.post('/api/v1/events', [{ event: 'x', userId: 'u' }, { event: 'y' }], k), 400);
  expectError(stack, await stack.request('POST', '/api/v1/events', { ...k, body: '{"event":"x","userId":"u",}',
    headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_json');
  const page = await stack.get('/api/v1/events?limit=2', s);
  expectStatus(stack, page, 200);
  expectStatus(stack, await stack.get(`/api/v1/events?limit=2&cursor=${page.body.next_cursor}`, s), 200);
  expectStatus(stack, await stack.get('/api/v1/events?userId=vg-user&from=2020-01-01T00:00:00Z&to=4102444800000', s), 200);
  expectError(stack, await stack.get('/api/v1/events?limit=0', s), 400);
  expectError(stack, await stack.get('/api/v1/events', k), 403);
  expectError(stack, await stack.request('PUT', '/api/v1/events', s), 405);
  expectError(stack, await stack.get('/api/v1/nope', s), 404);
  // the product analytics reads: sketches, time zones, funnels, insights, export
  const range = 'from=2020-01-01T00:00:00Z&to=4102444800000';
  const recent = `from=${Date.now() - 3 * 86400000}&to=${Date.now() + 3600000}`;
  for (const q of [`stats?${recent}`, `timeseries?metric=users&granularity=day&tz=Europe/Berlin&${recent}`,
    `timeseries?granularity=minute&from=${Date.now() - 600000}`, `breakdown?by=url&metric=users&limit=1&${recent}`,
    `breakdown?by=properties.a&event=vg&${recent}`, `funnel?steps=vg,gz&breakdown=properties.a&${recent}`,
    `retention?${recent}`]) {
    const res = await stack.get(`/api/v1/analytics/${q}`, s);
    if (res.status !== 200) wrong.push(`GET ${q} -> ${res.status} ${res.text.trim()}`);
  }
  expectStatus(stack, await stack.post('/api/v1/insights/generate', {}, s), 200);
  expectStatus(stack, await stack.get('/api/v1/insights', s), 200);
  for (const f of ['ndjson', 'csv']) expectStatus(stack, await stack.get(`/api/v1/export?format=${f}&${range}`, s), 200);
  for (let i = 0; i < 6; i++) {
    for (const [m, id, ok] of [['GET', 'vg-user', 200], ['GET', `plain-${i}`, 404], ['DELETE', `plain-${i}`, 200],
      ['GET', encodeURIComponent('a b/ü'), 404]]) {
      const res = await stack.request(m, `/api/v1/users/${id}`, s);
      if (res.status !== ok) wrong.push(`${m} /api/v1/users/${id} -> ${res.status} ${res.text.trim()}`);
    }
  }
  const del = await stack.del('/api/v1/users/vg-user', s);
  expectStatus(stack, del, 200);
  assert.ok(del.body.deleted.events >= 5);
  assert.deepEqual(wrong, []);
});

test('under valgrind: accounts, tokens and the control plane', { skip }, async () => {
  const password = 'valgrind password';
  const up = await stack.post('/api/v1/auth/signup', { email: 'vg@example.com', password, project_name: 'Valgrind' });
  expectStatus(stack, up, 201);
  expectError(stack, await stack.post('/api/v1/auth/signup', { email: 'vg@example.com', password }), 409);
  expectError(stack, await stack.post('/api/v1/auth/login', { email: 'vg@example.com', password: 'not the one!' }), 401);
  expectError(stack, await stack.post('/api/v1/auth/login', { email: 'nobody@example.com', password }), 401);
  const login = await stack.post('/api/v1/auth/login', { email: 'vg@example.com', password });
  expectStatus(stack, login, 200);
  const t = { key: login.body.token };
  const slug = up.body.project.slug;
  expectStatus(stack, await stack.get('/api/v1/me', t), 200);
  expectStatus(stack, await stack.get('/api/v1/projects', t), 200);
  expectStatus(stack, await stack.post('/api/v1/projects', { name: 'Second one' }, t), 201);
  expectStatus(stack, await stack.request('PATCH', `/api/v1/projects/${slug}`,
    { ...t, json: { rate_limit_per_min: 1000, allowed_origins: ['https://vg.example'], retention_days: null } }), 200);
  const key = await stack.post(`/api/v1/projects/${slug}/keys`, { kind: 'ingest', name: 'vg' }, t);
  expectStatus(stack, key, 201);
  expectStatus(stack, await stack.get(`/api/v1/projects/${slug}/keys`, t), 200);
  expectStatus(stack, await stack.del(`/api/v1/projects/${slug}/keys/${key.body.id}`, t), 204);
  expectStatus(stack, await stack.get(`/api/v1/projects/${slug}/members`, t), 200);
  expectError(stack, await stack.del(`/api/v1/projects/${slug}/members/${up.body.account.id}`, t), 409);
  expectStatus(stack, await stack.get(`/api/v1/analytics/stats?project=${slug}`, t), 200);
  expectError(stack, await stack.get('/api/v1/analytics/stats?project=nope', t), 403);
  expectError(stack, await stack.get('/api/v1/me', { key: `${login.body.token.slice(0, -2)}xx` }), 401);
  expectError(stack, await stack.get('/api/v1/me', { key: 'a.b.c' }), 401);
  expectError(stack, await stack.post('/api/v1/track', { event: 'x', userId: 'u' },
    { key: up.body.keys.ingest.key, headers: { Origin: 'https://elsewhere.example' } }), 403);
});

test('under valgrind: the worker reports no memory errors', { skip }, async () => {
  await stack.stop();
  const logs = fs.readdirSync(logDir).filter((f) => f.startsWith('vg.')).map((f) => fs.readFileSync(path.join(logDir, f), 'utf8'));
  assert.ok(logs.length >= 1, 'valgrind wrote its logs');
  const text = logs.join('\n');
  const errors = text.split(/\n(?===\d+== \S)/).filter((b) => /Invalid (read|write)|uninitialised|Mismatched free|Invalid free|overlap/.test(b));
  assert.equal(errors.length, 0, `memcheck found:\n${errors.slice(0, 4).join('\n').slice(0, 4000)}`);
});
