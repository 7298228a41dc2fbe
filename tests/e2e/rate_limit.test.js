// SPEC §7 rate limits: sliding one-minute windows counted across the whole
// worker pool, per key, per ingest key and client address, per project; the
// X-RateLimit-* headers, and 429 with Retry-After in the §8 error shape.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { startStack, expectStatus, expectError } from './lib/stack.js';

let stack;
let slow;           // the Retry-After case, started first and checked last
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  // the real defaults of tally.conf, not the test suite's lifted ones
  stack = await startStack({ workers: 4, env: { TALLY_RATE_LIMIT_PER_MIN: '6000', TALLY_RATE_LIMIT_PER_IP_PER_MIN: '600' } });
  slow = await stack.tenant('rl-retry');
  await stack.ctl('project', 'set', 'rl-retry', '--rate-limit-per-min', '5');
  slow.refusedAt = null;
  for (let i = 0; i < 6; i++) {
    const res = await stack.post('/api/v1/events', { event: 'r', userId: 'u' }, { key: slow.secret });
    if (i < 5) expectStatus(stack, res, 202);
    else {
      expectError(stack, res, 429);
      slow.refusedAt = Date.now();
      slow.retryAfter = Number(res.headers['retry-after']);
    }
  }
});

after(async () => {
  if (stack) await stack.stop();
});

/** n requests of fn(i) with `parallel` in flight at once, each on its own connection; resolves to the responses. */
async function burst(n, parallel, fn) {
  const out = [];
  let next = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: parallel });
  async function lane() {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i, agent);
    }
  }
  await Promise.all(Array.from({ length: parallel }, lane));
  agent.destroy();
  return out;
}

function count(responses, status) {
  return responses.filter((r) => r.status === status).length;
}

test('per key: with 4 workers and 32 parallel clients, exactly the limit is accepted in a window', async () => {
  const t = await stack.tenant('rl-key');
  await stack.ctl('project', 'set', 'rl-key', '--rate-limit-per-min', '400');
  const res = await burst(1000, 32, (i, agent) =>
    stack.post('/api/v1/events', { event: 'burst', userId: `u${i}` }, { key: t.secret, agent }));
  const ok = count(res, 202);
  const refused = count(res, 429);
  assert.equal(ok + refused, 1000, `only 202 and 429: ${[...new Set(res.map((r) => r.status))]}`);
  assert.ok(Math.abs(ok - 400) <= 4, `accepted ${ok}, the limit is 400 (±1 %)`);
  // and what was accepted is what is stored, no more
  const stored = execFileSync('sqlite3', [`${stack.varDir}/tally.db`,
    "SELECT count(*) FROM events e JOIN projects p ON p.id = e.project_id WHERE p.slug = 'rl-key'"]).toString().trim();
  assert.equal(Number(stored), ok);
});

test('per ingest key and client address: the key+address limit binds before the key limit', async () => {
  const t = await stack.tenant('rl-ip');
  await stack.ctl('project', 'set', 'rl-ip', '--rate-limit-per-ip-per-min', '250');
  const res = await burst(600, 24, (i, agent) =>
    stack.post('/api/v1/track', { event: 'burst', userId: `u${i}` }, { key: t.ingest, agent }));
  const ok = count(res, 200);
  assert.ok(Math.abs(ok - 250) <= 3, `accepted ${ok}, the key+address limit is 250`);
  const last = res.find((r) => r.status === 429);
  assert.equal(last.headers['x-ratelimit-limit'], '250');
  // the secret key of the same project has no address limit: its key limit (6,000) applies
  const s = await stack.post('/api/v1/track', { event: 'other', userId: 'x' }, { key: t.secret });
  expectStatus(stack, s, 200);
  assert.equal(s.headers['x-ratelimit-limit'], '6000');
});

test('per project: two keys of one project share its limit', async () => {
  const t = await stack.tenant('rl-project');
  await stack.ctl('project', 'set', 'rl-project', '--rate-limit-project-per-min', '300');
  const second = await stack.key('rl-project', 'secret', 'second');
  const keys = [t.secret, second.key];
  const res = await burst(800, 32, (i, agent) =>
    stack.post('/api/v1/events', { event: 'p', userId: `u${i}` }, { key: keys[i % 2], agent }));
  const ok = count(res, 202);
  assert.ok(Math.abs(ok - 300) <= 3, `accepted ${ok} over two keys, the project limit is 300`);
  // another project is not touched by it
  const other = await stack.tenant('rl-project-other');
  expectStatus(stack, await stack.post('/api/v1/events', { event: 'o', userId: 'o' }, { key: other.secret }), 202);
});

test('the headers count down one by one, and the refusal is a §8 error with Retry-After', async () => {
  const t = await stack.tenant('rl-headers');
  await stack.ctl('project', 'set', 'rl-headers', '--rate-limit-per-min', '12');
  let prevReset = Infinity;
  for (let i = 0; i < 12; i++) {
    const res = await stack.get('/api/v1/events?limit=1', { key: t.secret });
    expectStatus(stack, res, 200);
    assert.equal(res.headers['x-ratelimit-limit'], '12');
    assert.equal(res.headers['x-ratelimit-remaining'], String(11 - i), `request ${i + 1}`);
    const reset = Number(res.headers['x-ratelimit-reset']);
    assert.ok(reset >= 1 && reset <= 60, `X-RateLimit-Reset ${reset}`);
    assert.ok(reset <= prevReset, 'the reset does not move away while the window fills');
    prevReset = reset;
  }
  const refused = await stack.get('/api/v1/events?limit=1', { key: t.secret });
  expectError(stack, refused, 429);
  assert.equal(refused.body.error, 'rate_limited');
  assert.equal(refused.headers['x-ratelimit-remaining'], '0');
  const retry = Number(refused.headers['retry-after']);
  assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After ${refused.headers['retry-after']}`);
  assert.equal(refused.headers['x-ratelimit-reset'], refused.headers['retry-after']);
  assert.equal(refused.body.details[0].retry_after_s, retry);
  // a refused request counts nowhere: the count stays at the limit
  const again = await stack.get('/api/v1/events?limit=1', { key: t.secret });
  expectError(stack, again, 429);
});

test('defaults: an ingest key is limited at 600 per address, a secret key at 6,000', async () => {
  const t = await stack.tenant('rl-defaults');
  const i = await stack.post('/api/v1/track', { event: 'd', userId: 'd' }, { key: t.ingest });
  expectStatus(stack, i, 200);
  assert.equal(i.headers['x-ratelimit-limit'], '600');
  assert.equal(i.headers['x-ratelimit-remaining'], '599');
  const s = await stack.get('/api/v1/events?limit=1', { key: t.secret });
  assert.equal(s.headers['x-ratelimit-limit'], '6000');
  assert.equal(s.headers['x-ratelimit-remaining'], '5999');
  // a project setting of 0 lifts the key limit; the health check is not limited
  await stack.ctl('project', 'set', 'rl-defaults', '--rate-limit-per-min', '0');
  const lifted = await stack.get('/api/v1/events?limit=1', { key: t.secret });
  expectStatus(stack, lifted, 200);
  assert.equal(lifted.headers['x-ratelimit-limit'], undefined);
  const h = await stack.get('/api/health');
  assert.equal(h.headers['x-ratelimit-limit'], undefined);
  // signup and login are limited per address
  const login = await stack.post('/api/v1/auth/login', { email: 'no@example.com', password: 'not-this-one' });
  expectError(stack, login, 401);
  assert.equal(login.headers['x-ratelimit-limit'], '600');
});

test('a worker crash does not reset the counters', async () => {
  const t = await stack.tenant('rl-crash');
  await stack.ctl('project', 'set', 'rl-crash', '--rate-limit-per-min', '30');
  for (let i = 0; i < 30; i++) expectStatus(stack, await stack.get('/api/v1/events?limit=1', { key: t.secret }), 200);
  // kill every worker child; the pool's parent replaces them
  const parent = fs.readFileSync(`${stack.varDir}/worker.pid`, 'utf8').trim();
  const children = execFileSync('pgrep', ['-P', parent]).toString().trim().split('\n').filter(Boolean);
  assert.ok(children.length >= 1);
  for (const pid of children) process.kill(Number(pid), 'SIGKILL');
  let res;
  for (let tries = 0; tries < 50; tries++) {
    await sleep(100);
    res = await stack.get('/api/v1/events?limit=1', { key: t.secret });
    if (res.status !== 502) break;
  }
  expectError(stack, res, 429);
});

test('Retry-After is honoured: refused just before it, accepted once it has passed', async () => {
  assert.ok(slow.refusedAt, 'the set-up reached the limit');
  assert.ok(slow.retryAfter >= 1 && slow.retryAfter <= 60, `Retry-After ${slow.retryAfter}`);
  const due = slow.refusedAt + slow.retryAfter * 1000;
  if (due - Date.now() > 2500) {
    await sleep(due - Date.now() - 2500);
    const early = await stack.post('/api/v1/events', { event: 'r', userId: 'u' }, { key: slow.secret });
    expectError(stack, early, 429);
  }
  await sleep(Math.max(0, due - Date.now()) + 300);
  const res = await stack.post('/api/v1/events', { event: 'r', userId: 'u' }, { key: slow.secret });
  expectStatus(stack, res, 202);
  const remaining = Number(res.headers['x-ratelimit-remaining']);
  assert.ok(remaining >= 0 && remaining <= 4, `the oldest requests left the window: ${remaining} remaining`);
});
