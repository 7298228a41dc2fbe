// SPEC §9: the realtime stream (docs/realtime.md), through the real stack:
// nginx + Nchan hold the subscribers, the worker only authenticates and
// redirects, the pool's publisher posts snapshots and updates.
//
// Node has no EventSource: the stream is read with http.get and its
// `event:` / `id:` / `data:` lines parsed here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startStack, expectStatus, uid, SRC } from './lib/stack.js';

let stack;
let A;
let B;
let alice;          // a login (signup) owning her own project
const tokens = new Set();

/**
 * Opens an SSE stream. Resolves once the response head is in, to
 * { status, headers, events, comments, text, next(pred, ms), close() }.
 * next() resolves to the first event (among those already received, from
 * `from` on, then those to come) that pred accepts, or rejects after ms.
 */
function subscribe(urlPath, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get({
      host: '127.0.0.1', port: stack.httpPort, path: urlPath, agent: false,
      headers: { Accept: 'text/event-stream', ...headers },
    }, (res) => {
      const sub = { status: res.statusCode, headers: res.headers, events: [], comments: [], text: '', waiters: [] };
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        sub.text += chunk;
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = { event: 'message', data: '', id: undefined };
          let isEvent = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) { sub.comments.push(line.slice(1).trim()); continue; }
            const c = line.indexOf(':');
            const field = c < 0 ? line : line.slice(0, c);
            const value = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
            if (field === 'event') { ev.event = value; isEvent = true; }
            if (field === 'id') ev.id = value;
            if (field === 'data') { ev.data += (ev.data ? '\n' : '') + value; isEvent = true; }
          }
          if (!isEvent) continue;
          try { ev.json = JSON.parse(ev.data); } catch { ev.json = undefined; }
          sub.events.push(ev);
          for (const w of sub.waiters.slice()) w();
        }
      });
      res.on('error', () => {});
      sub.next = (pred, ms = 3000, from = 0) => new Promise((ok, ko) => {
        let timer;
        const check = () => {
          const hit = sub.events.slice(from).find(pred);
          if (!hit) return false;
          clearTimeout(timer);
          sub.waiters = sub.waiters.filter((w) => w !== check);
          ok(hit);
          return true;
        };
        if (check()) return;
        sub.waiters.push(check);
        timer = setTimeout(() => {
          sub.waiters = sub.waiters.filter((w) => w !== check);
          ko(new Error(`no matching event within ${ms} ms on ${urlPath}; got ${JSON.stringify(sub.events)}`));
        }, ms);
      });
      sub.close = () => { req.destroy(); };
      sub.res = res;
      resolve(sub);
    });
    req.on('error', reject);
  });
}

/** A refused stream: the JSON error body, not an event stream. */
async function refused(urlPath, headers, status) {
  const s = await subscribe(urlPath, headers);
  await new Promise((r) => { s.res.on('end', r); setTimeout(r, 1500); });
  s.close();
  assert.equal(s.status, status, `${urlPath}: ${s.status} ${s.text}`);
  assert.doesNotMatch(String(s.headers['content-type']), /event-stream/);
  assert.equal(s.events.length, 0);
  const body = JSON.parse(s.text);
  assert.equal(body.status, status);
  return body;
}

const bearer = (k) => ({ Authorization: `Bearer ${k}` });
const llmCall = (feature) => ({
  event: 'llm_call', userId: uid('u'), messageId: uid('m'),
  model: 'gpt-4o', inputTokens: 1000, outputTokens: 100, feature,
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  stack = await startStack();
  [A, B] = await Promise.all([stack.tenant('stream-a'), stack.tenant('stream-b')]);
  for (const t of [A, B]) { tokens.add(t.secret); tokens.add(t.ingest); }
  const res = await stack.post('/api/v1/auth/signup',
    { email: 'alice@stream.test', password: 'a long enough passphrase 42', project_name: 'Alice stream' });
  expectStatus(stack, res, 201);
  alice = { token: res.body.token, slug: res.body.project.slug };
  tokens.add(alice.token);
});

after(async () => { if (stack) await stack.stop(); });

test('a subscriber of A gets a snapshot, then an update within 2 s of an ingest into A, and never B\'s', async () => {
  const a = await subscribe('/api/v1/stream/costs', bearer(A.secret));
  const b = await subscribe('/api/v1/stream/costs', bearer(B.secret));
  const ae = await subscribe('/api/v1/stream/events', bearer(A.secret));
  try {
    assert.equal(a.status, 200);
    assert.match(a.headers['content-type'], /^text\/event-stream/);
    const snap = await a.next((e) => e.event === 'snapshot');
    assert.deepEqual(Object.keys(snap.json).sort(), ['count', 'features', 'since', 'timestamp', 'totalCost']);
    assert.equal(snap.json.count, 0);
    assert.ok(snap.id, 'messages carry an id for Last-Event-ID');
    const esnap = await ae.next((e) => e.event === 'snapshot');
    assert.deepEqual(Object.keys(esnap.json).sort(), ['count', 'since', 'timestamp', 'topEvents', 'users']);
    await b.next((e) => e.event === 'snapshot');

    const t0 = Date.now();
    expectStatus(stack, await stack.post('/api/v1/events', llmCall('chat'), { key: A.ingest }), 202);
    const up = await a.next((e) => e.event === 'update', 2000);
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(up.json.count, 1);
    assert.ok(up.json.totalCost > 0);
    assert.ok(up.json.features.chat > 0, JSON.stringify(up.json));
    const eup = await ae.next((e) => e.event === 'update', 2000);
    assert.equal(eup.json.count, 1);
    assert.equal(eup.json.users, 1);
    assert.deepEqual(eup.json.topEvents, [{ event: 'llm_call', count: 1 }]);

    // B's stream saw nothing of A; and an ingest into B reaches B, not A
    await sleep(300);
    assert.equal(b.events.filter((e) => e.event === 'update').length, 0);
    const updatesA = () => a.events.filter((e) => e.event === 'update').length;
    const seenA = updatesA();
    expectStatus(stack, await stack.post('/api/v1/events', llmCall('search'), { key: B.ingest }), 202);
    const bup = await b.next((e) => e.event === 'update', 2000);
    assert.deepEqual(Object.keys(bup.json.features), ['search']);
    await sleep(1200);
    // (A may get snapshots meanwhile: they follow joins, and hold A's totals)
    assert.equal(updatesA(), seenA, 'A\'s subscriber got no update for B\'s ingest');
    for (const e of a.events) assert.equal(e.json.features.search, undefined);
  } finally {
    a.close(); b.close(); ae.close();
  }
});

test('updates are coalesced: at most one a second per project, none without a change', async () => {
  const a = await subscribe('/api/v1/stream/costs', bearer(A.secret));
  try {
    await a.next((e) => e.event === 'snapshot');
    const from = a.events.length;
    for (let i = 0; i < 10; i++) {
      expectStatus(stack, await stack.post('/api/v1/events', llmCall('burst'), { key: A.ingest }), 202);
      await sleep(100);
    }
    // a message holds all 11 calls (1 of the first test + 10) within 1.1 s of the last commit: an
    // update, or the snapshot that follows the join a second later (an update with the same totals
    // is then not sent again)
    await a.next((e) => e.json.count >= 11, 2500, from);
    await sleep(500);
    const ups = a.events.slice(from).filter((e) => e.event === 'update');
    assert.ok(ups.length >= 1 && ups.length <= 3, `${ups.length} updates for 10 ingests in 1 s`);
    for (let i = 1; i < ups.length; i++) {
      const gap = Date.parse(ups[i].json.timestamp) - Date.parse(ups[i - 1].json.timestamp);
      assert.ok(gap >= 1000, `updates ${gap} ms apart`);
    }
    // an ingest that is refused changes nothing, and nothing is published
    const n = a.events.length;
    await stack.post('/api/v1/events', { nope: true }, { key: A.ingest });
    await sleep(1300);
    assert.equal(a.events.length, n);
  } finally {
    a.close();
  }
});

test('refusals: 401 without or with a bad credential, 403 for an ingest key or another project, and no stream', async () => {
  let body = await refused('/api/v1/stream/costs', {}, 401);
  assert.equal(body.error, 'missing_credentials');
  await refused('/api/v1/stream/events', {}, 401);
  await refused('/api/v1/stream/costs?token=tk_sec_notakeyatallnotakeyatallnotake', {}, 401);
  await refused('/api/v1/stream/costs?token=abc.def.ghi', {}, 401);
  await refused('/api/v1/stream/costs', bearer('tk_sec_notakeyatallnotakeyatallnotake'), 401);
  // a forged token: right shape, wrong key
  const forged = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.` +
    `${Buffer.from(JSON.stringify({ sub: '1', exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url')}.` +
    crypto.createHmac('sha256', 'not the server secret').update('x').digest('base64url');
  await refused(`/api/v1/stream/costs?token=${forged}&project=${alice.slug}`, {}, 401);
  body = await refused('/api/v1/stream/costs', bearer(A.ingest), 403);
  assert.equal(body.error, 'forbidden');
  await refused(`/api/v1/stream/events?token=${A.ingest}`, {}, 403);
  // another project's: a login naming a project it is no member of, a key naming another project
  await refused(`/api/v1/stream/costs?token=${alice.token}&project=${A.slug}`, {}, 403);
  await refused(`/api/v1/stream/costs?project=${B.slug}`, bearer(A.secret), 403);
  await refused(`/api/v1/stream/costs?token=${A.secret}&project=${B.slug}`, {}, 403);
  // a login must name its project
  await refused(`/api/v1/stream/costs?token=${alice.token}`, {}, 400);
  // ?token= is a credential on the stream routes only
  const other = await stack.get(`/api/v1/analytics/stats?token=${A.secret}`);
  assert.equal(other.status, 401);
});

test('?token= works with a login token (and ?project=) and with a secret key', async () => {
  const viaJwt = await subscribe(`/api/v1/stream/costs?token=${encodeURIComponent(alice.token)}&project=${alice.slug}`);
  const viaKey = await subscribe(`/api/v1/stream/events?token=${A.secret}`);
  const viaHeader = await subscribe(`/api/v1/stream/events?project=${alice.slug}`, bearer(alice.token));
  try {
    for (const s of [viaJwt, viaKey, viaHeader]) {
      assert.equal(s.status, 200, s.text);
      await s.next((e) => e.event === 'snapshot');
    }
    assert.equal((await viaJwt.next((e) => e.event === 'snapshot')).json.count, 0);
    assert.ok((await viaKey.next((e) => e.event === 'snapshot')).json.count >= 1);
  } finally {
    viaJwt.close(); viaKey.close(); viaHeader.close();
  }
});

test('the subscriber location is internal: 404 from outside, even with the right channel id', async () => {
  const secretFile = path.join(stack.varDir, 'jwt.secret');
  const channel = crypto.createHmac('sha256', fs.readFileSync(secretFile)).update(`costs:${A.id}`).digest('hex');
  for (const p of [`/_stream/sub/${channel}`, `/_stream/sub/${'0'.repeat(64)}`, '/_stream/sub/anything',
    `/_stream/pub/${channel}`]) {
    const res = await stack.get(p, { headers: { Accept: 'text/event-stream' } });
    assert.equal(res.status, 404, p);
    assert.doesNotMatch(String(res.headers['content-type']), /event-stream/);
  }
  const res = await stack.request('POST', `/_stream/pub/${channel}`, { body: '{"count":666}' });
  assert.ok(res.status === 404 || res.status === 405, `POST ${res.status}`);
});

test('50 concurrent subscribers all receive the update after one ingest', async () => {
  const subs = await Promise.all(Array.from({ length: 50 }, () => subscribe('/api/v1/stream/costs', bearer(A.secret))));
  try {
    await Promise.all(subs.map((s) => s.next((e) => e.event === 'snapshot', 3000)));
    const froms = subs.map((s) => s.events.length);
    await sleep(1100);      // past the once-a-second gap of earlier tests
    expectStatus(stack, await stack.post('/api/v1/events', llmCall('fanout'), { key: A.ingest }), 202);
    const got = await Promise.all(subs.map((s, i) => s.next((e) => e.event === 'update' && e.json.features.fanout > 0, 3000, froms[i])));
    assert.equal(got.length, 50);
    assert.equal(new Set(got.map((e) => e.id)).size, 1, 'the same message reached everyone');
  } finally {
    for (const s of subs) s.close();
  }
});

test('Last-Event-ID resumes: a reconnecting client gets the messages it missed', async () => {
  const first = await subscribe('/api/v1/stream/costs', bearer(A.secret));
  const snap = await first.next((e) => e.event === 'snapshot');
  const lastId = first.events[first.events.length - 1].id;
  first.close();
  await sleep(1100);
  expectStatus(stack, await stack.post('/api/v1/events', llmCall('missed'), { key: A.ingest }), 202);
  await sleep(1500);      // the update is published while nobody listens
  for (const headers of [{ 'Last-Event-ID': lastId, ...bearer(A.secret) }, bearer(A.secret)]) {
    const url = headers['Last-Event-ID'] ? '/api/v1/stream/costs' :
      `/api/v1/stream/costs?last_event_id=${encodeURIComponent(lastId)}`;
    const again = await subscribe(url, headers);
    try {
      const missed = await again.next((e) => e.event === 'update' && e.json.features.missed > 0, 2000);
      assert.ok(missed.json.count > snap.json.count);
      assert.notEqual(missed.id, lastId);
    } finally {
      again.close();
    }
  }
});

test('heartbeat every 15 s and the CORS origin are configured; no token reaches a log', async () => {
  const server = fs.readFileSync(path.join(SRC, 'nginx', 'tally-server.conf'), 'utf8');
  const loc = server.slice(server.indexOf('location ~ "^/_stream/sub/'));
  assert.match(loc, /^\s*internal;/m);
  assert.match(loc, /nchan_eventsource_ping_interval 15;/);
  assert.match(loc, /nchan_access_control_allow_origin \$tally_cors_read_origin;/);
  assert.doesNotMatch(server, /^\s*nchan_authorize_request/m);   // crashes on Nchan 1.3.6
  // a foreign page's origin gets no stream
  const foreign = await subscribe('/api/v1/stream/costs', { ...bearer(A.secret), Origin: 'https://evil.example' });
  await sleep(300);
  foreign.close();
  assert.equal(foreign.status, 403);
  assert.equal(foreign.events.length, 0, foreign.text);
  assert.equal(foreign.headers['access-control-allow-credentials'], undefined);
  const dash = await subscribe('/api/v1/stream/costs', { ...bearer(A.secret), Origin: 'http://localhost:3000' });
  await dash.next((e) => e.event === 'snapshot');
  dash.close();
  assert.equal(dash.headers['access-control-allow-origin'], 'http://localhost:3000');
  await sleep(200);
  for (const f of ['nginx-access.log', 'worker.log', 'nginx-error.log']) {
    const p = path.join(stack.varDir, 'log', f);
    if (!fs.existsSync(p)) continue;
    const text = fs.readFileSync(p, 'utf8');
    for (const t of tokens) assert.ok(!text.includes(t), `a credential is in ${f}`);
  }
  const access = fs.readFileSync(path.join(stack.varDir, 'log', 'nginx-access.log'), 'utf8');
  assert.match(access, /GET \/api\/v1\/stream\/costs HTTP/);
});
