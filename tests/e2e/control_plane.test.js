// SPEC §2, §3, §6: the control plane. Every control-plane route (and the read
// and write routes a login may or may not use) against every kind of caller:
// the project's owner, admin and viewer, a login of another project, the
// project's secret and ingest keys, and no credential at all. Then the keys
// API (shown once, revoked at once in every worker) and the projects API
// (slugs, settings validation, the last owner).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, expectStatus, expectError, uid } from './lib/stack.js';

const PASSWORD = 'correct horse battery';

let stack;
const acct = {};     // name -> { email, id, token, slug, ingest, secret, ingestId, secretId }
let slug;            // the owner's project, where admin and viewer are members

async function signup(name) {
  const email = `${name}@example.com`;
  const res = await stack.post('/api/v1/auth/signup', { email, password: PASSWORD, project_name: `${name} project` });
  expectStatus(stack, res, 201);
  const login = await stack.post('/api/v1/auth/login', { email, password: PASSWORD });
  expectStatus(stack, login, 200);
  const b = res.body;
  return {
    email, id: b.account.id, token: login.body.token, slug: b.project.slug,
    ingest: b.keys.ingest.key, secret: b.keys.secret.key, ingestId: b.keys.ingest.id, secretId: b.keys.secret.id,
  };
}

before(async () => {
  // four workers: a revocation or a membership change must hold in all of them
  stack = await startStack({ workers: 4 });
  for (const name of ['owner', 'admin', 'viewer', 'outsider', 'extra']) acct[name] = await signup(name);
  slug = acct.owner.slug;
  for (const [name, role] of [['admin', 'admin'], ['viewer', 'viewer']]) {
    const res = await stack.post(`/api/v1/projects/${slug}/members`, { email: acct[name].email, role },
      { key: acct.owner.token });
    expectStatus(stack, res, 200);
    assert.equal(res.body.role, role);
  }
});

after(async () => {
  if (stack) await stack.stop();
});

/* ---------------------------------------------------------------- helpers */

const CALLERS = ['owner', 'admin', 'viewer', 'outsider', 'secret', 'ingest', 'none'];

/** The request options that present a caller's credential (secret/ingest: the owner project's keys). */
function as(caller) {
  if (caller === 'none') return {};
  if (caller === 'secret') return { key: acct.owner.secret };
  if (caller === 'ingest') return { key: acct.owner.ingest };
  return { key: acct[caller].token };
}

const owner = () => ({ key: acct.owner.token });

async function keyList(projectSlug = slug) {
  const res = await stack.get(`/api/v1/projects/${projectSlug}/keys`, owner());
  expectStatus(stack, res, 200);
  return res.body.data;
}

/** What a refused key request must not change: which keys exist and which are revoked. */
async function keyState() {
  return (await keyList()).map((k) => `${k.id}:${k.kind}:${k.name}:${k.revoked_at}`);
}

async function members(projectSlug = slug) {
  const res = await stack.get(`/api/v1/projects/${projectSlug}/members`, owner());
  expectStatus(stack, res, 200);
  return res.body.data.map((m) => `${m.account_id}:${m.email}:${m.role}`);
}

async function ownerProject() {
  const res = await stack.get('/api/v1/projects', owner());
  expectStatus(stack, res, 200);
  return res.body.data.find((p) => p.slug === slug);
}

async function projectCount() {
  const { stdout } = await stack.ctl('project', 'list');
  return stdout.trim().split('\n').length;
}

async function eventsOf(query) {
  return stack.allEvents(acct.owner.secret, query);
}

/** A fresh key of the owner's project, made through the API. */
async function freshKey(kind = 'ingest') {
  const res = await stack.post(`/api/v1/projects/${slug}/keys`, { kind, name: uid('k') }, owner());
  expectStatus(stack, res, 201);
  return res.body;
}

function track(key, extra = {}) {
  return stack.post('/api/v1/track', { event: 'cp_probe', userId: 'u-cp', messageId: uid('cp'), ...extra },
    key ? { key } : {});
}

async function ensureNotMember(account) {
  const list = await members();
  if (list.some((m) => m.startsWith(`${account.id}:`))) {
    expectStatus(stack, await stack.del(`/api/v1/projects/${slug}/members/${account.id}`, owner()), 204);
  }
}

async function ensureMember(account, role) {
  const res = await stack.post(`/api/v1/projects/${slug}/members`, { email: account.email, role }, owner());
  expectStatus(stack, res, 200);
}

/* -------------------------------------------------------- the roles matrix */

const LOGINS_OK = (status) => ({ owner: status, admin: status, viewer: status, outsider: status });
const VIEWER_UP = (status) => ({ owner: status, admin: status, viewer: status, outsider: 403 });
const ADMIN_UP = (status) => ({ owner: status, admin: status, viewer: 403, outsider: 403 });
const OWNER_ONLY = (status) => ({ owner: status, admin: 403, viewer: 403, outsider: 403 });
const CONTROL = { secret: 403, ingest: 403, none: 401 };

/*
 * One row per endpoint. send(opts, prep, caller) makes the request; prep()
 * sets up what it acts on; state(prep) is what a refused request must leave
 * as it was; ok(res, prep, caller) checks an accepted one; refused(prep)
 * checks more after a refusal.
 */
const MATRIX = [
  {
    name: 'GET /api/v1/me',
    expect: { ...LOGINS_OK(200), ...CONTROL },
    send: (o) => stack.get('/api/v1/me', o),
    ok: (res, _p, caller) => {
      assert.equal(res.body.account.email, acct[caller].email);
      const mine = res.body.projects.find((p) => p.slug === slug);
      if (caller === 'outsider') assert.equal(mine, undefined, 'the outsider sees the owner\'s project');
      else assert.equal(mine.role, caller);
    },
  },
  {
    name: 'GET /api/v1/projects',
    expect: { ...LOGINS_OK(200), ...CONTROL },
    send: (o) => stack.get('/api/v1/projects', o),
    ok: (res, _p, caller) => {
      const mine = res.body.data.find((p) => p.slug === slug);
      if (caller === 'outsider') assert.equal(mine, undefined, 'the outsider sees the owner\'s project');
      else assert.equal(mine.role, caller);
      assert.ok(res.body.data.some((p) => p.slug === acct[caller].slug), 'its own signup project is listed');
    },
  },
  {
    name: 'POST /api/v1/projects',
    expect: { ...LOGINS_OK(201), ...CONTROL },
    send: (o, _p, caller) => stack.post('/api/v1/projects', { name: `made by ${caller}` }, o),
    state: projectCount,
    ok: async (res, _p, caller) => {
      assert.equal(res.body.role, 'owner');
      assert.match(res.body.slug, /^made-by-/);
      const list = await stack.get('/api/v1/projects', as(caller));
      assert.ok(list.body.data.some((p) => p.slug === res.body.slug && p.role === 'owner'));
    },
  },
  {
    name: 'PATCH /api/v1/projects/{slug}',
    expect: { ...OWNER_ONLY(200), ...CONTROL },
    send: (o, _p, caller) => stack.request('PATCH', `/api/v1/projects/${slug}`,
      { ...o, json: { name: `renamed by ${caller}`, retention_days: 77 } }),
    state: ownerProject,
    ok: async (res) => {
      assert.equal(res.body.name, 'renamed by owner');
      assert.equal(res.body.settings.retention_days, 77);
      assert.equal((await ownerProject()).name, 'renamed by owner');
    },
  },
  {
    name: 'GET /api/v1/projects/{slug}/keys',
    expect: { ...VIEWER_UP(200), ...CONTROL },
    send: (o) => stack.get(`/api/v1/projects/${slug}/keys`, o),
    ok: (res) => {
      assert.ok(res.body.data.length >= 2);
      for (const k of res.body.data) assert.equal(k.key, undefined, 'a listed key carries its full text');
      assert.ok(!res.text.includes(acct.owner.ingest) && !res.text.includes(acct.owner.secret));
    },
  },
  {
    name: 'POST /api/v1/projects/{slug}/keys',
    expect: { ...ADMIN_UP(201), ...CONTROL },
    send: (o, _p, caller) => stack.post(`/api/v1/projects/${slug}/keys`, { kind: 'secret', name: `by ${caller}` }, o),
    state: keyState,
    ok: async (res, _p, caller) => {
      assert.match(res.body.key, /^tk_sec_/);
      assert.equal(res.body.name, `by ${caller}`);
      assert.ok((await keyList()).some((k) => k.id === res.body.id));
    },
  },
  {
    name: 'DELETE /api/v1/projects/{slug}/keys/{id}',
    expect: { ...ADMIN_UP(204), ...CONTROL },
    prep: () => freshKey('ingest'),
    send: (o, k) => stack.del(`/api/v1/projects/${slug}/keys/${k.id}`, o),
    state: keyState,
    ok: async (res, k) => {
      assert.equal(res.text, '');
      expectError(stack, await track(k.key), 401, 'invalid_credentials');
    },
    refused: async (k) => expectStatus(stack, await track(k.key), 200),
  },
  {
    name: 'GET /api/v1/projects/{slug}/members',
    expect: { ...VIEWER_UP(200), ...CONTROL },
    send: (o) => stack.get(`/api/v1/projects/${slug}/members`, o),
    ok: (res) => {
      const roles = Object.fromEntries(res.body.data.map((m) => [m.email, m.role]));
      assert.equal(roles[acct.owner.email], 'owner');
      assert.equal(roles[acct.admin.email], 'admin');
      assert.equal(roles[acct.viewer.email], 'viewer');
      assert.equal(roles[acct.outsider.email], undefined);
    },
  },
  {
    name: 'POST /api/v1/projects/{slug}/members',
    expect: { ...OWNER_ONLY(200), ...CONTROL },
    prep: () => ensureNotMember(acct.extra),
    send: (o) => stack.post(`/api/v1/projects/${slug}/members`, { email: acct.extra.email, role: 'admin' }, o),
    state: () => members(),
    ok: async (res) => {
      assert.equal(res.body.account_id, acct.extra.id);
      assert.equal(res.body.role, 'admin');
      assert.ok((await members()).includes(`${acct.extra.id}:${acct.extra.email}:admin`));
    },
  },
  {
    name: 'DELETE /api/v1/projects/{slug}/members/{account_id}',
    expect: { ...OWNER_ONLY(204), ...CONTROL },
    prep: () => ensureMember(acct.extra, 'viewer'),
    send: (o) => stack.del(`/api/v1/projects/${slug}/members/${acct.extra.id}`, o),
    state: () => members(),
    ok: async () => {
      assert.ok(!(await members()).some((m) => m.startsWith(`${acct.extra.id}:`)));
      // the removed login loses the project from its next request on
      expectError(stack, await stack.get(`/api/v1/projects/${slug}/keys`, { key: acct.extra.token }), 403, 'forbidden');
    },
  },
  {
    name: 'GET /api/v1/analytics/stats?project={slug}',
    expect: { ...VIEWER_UP(200), secret: 200, ingest: 403, none: 401 },
    send: (o) => stack.get(`/api/v1/analytics/stats?project=${slug}`, o),
  },
  {
    name: 'GET /api/v1/events with X-Project-Id',
    expect: { ...VIEWER_UP(200), secret: 200, ingest: 403, none: 401 },
    send: (o) => stack.get('/api/v1/events?limit=5', { ...o, headers: { 'X-Project-Id': slug } }),
    ok: (res) => assert.ok(Array.isArray(res.body.data)),
  },
  {
    name: 'DELETE /api/v1/users/{id}?project={slug}',
    expect: { ...ADMIN_UP(200), secret: 200, ingest: 403, none: 401 },
    prep: async (caller) => {
      const userId = `erase-${caller}`;
      expectStatus(stack, await track(acct.owner.ingest, { userId }), 200);
      return userId;
    },
    send: (o, userId) => stack.del(`/api/v1/users/${userId}?project=${slug}`, o),
    state: async (userId) => (await eventsOf(`userId=${userId}`)).length,
    ok: async (_res, userId) => assert.equal((await eventsOf(`userId=${userId}`)).length, 0),
  },
  {
    name: 'POST /api/v1/insights/generate?project={slug}',
    expect: { ...ADMIN_UP(200), secret: 200, ingest: 403, none: 401 },
    send: (o) => stack.post(`/api/v1/insights/generate?project=${slug}`, {}, o),
    ok: (res) => assert.ok(Array.isArray(res.body.data)),
  },
  {
    name: 'POST /api/v1/track (ingest)',
    expect: { ...LOGINS_OK(403), secret: 200, ingest: 200, none: 401 },
    prep: () => uid('track'),
    send: (o, messageId, caller) => stack.post('/api/v1/track',
      { event: 'cp_track', userId: `track-${caller}`, messageId }, { ...o, headers: { 'X-Project-Id': slug } }),
    state: async (messageId) => (await eventsOf('event=cp_track')).filter((e) => e.messageId === messageId).length,
    ok: async (_res, messageId) => {
      const rows = (await eventsOf('event=cp_track')).filter((e) => e.messageId === messageId);
      assert.equal(rows.length, 1);
    },
  },
];

function describeExpect(expect) {
  return CALLERS.map((c) => `${c} ${expect[c]}`).join(', ');
}

for (const row of MATRIX) {
  test(`roles: ${row.name} -> ${describeExpect(row.expect)}`, async () => {
    for (const caller of CALLERS) {
      const want = row.expect[caller];
      assert.ok(want, `${row.name}: no expectation for ${caller}`);
      const prep = row.prep ? await row.prep(caller) : undefined;
      const stateBefore = row.state ? await row.state(prep) : undefined;
      const res = await row.send(as(caller), prep, caller);
      try {
        if (want >= 400) {
          const b = expectError(stack, res, want, want === 401 ? 'missing_credentials' : 'forbidden');
          if (want === 401) assert.match(res.headers['www-authenticate'] || '', /^Bearer/);
          assert.ok(b.message.length > 0);
          if (row.state) assert.deepEqual(await row.state(prep), stateBefore, 'the refused request changed state');
          if (row.refused) await row.refused(prep);
        } else {
          expectStatus(stack, res, want);
          if (row.ok) await row.ok(res, prep, caller);
        }
      } catch (err) {
        err.message = `${row.name} as ${caller}: ${err.message}`;
        throw err;
      }
    }
  });
}

test('roles: a non-member gets the same 403 for an existing and a missing project', async () => {
  const routes = [
    ['PATCH', (s) => `/api/v1/projects/${s}`, { name: 'x' }],
    ['GET', (s) => `/api/v1/projects/${s}/keys`],
    ['POST', (s) => `/api/v1/projects/${s}/keys`, { kind: 'ingest' }],
    ['DELETE', (s) => `/api/v1/projects/${s}/keys/${acct.owner.ingestId}`],
    ['GET', (s) => `/api/v1/projects/${s}/members`],
    ['POST', (s) => `/api/v1/projects/${s}/members`, { email: acct.outsider.email, role: 'owner' }],
    ['DELETE', (s) => `/api/v1/projects/${s}/members/${acct.owner.id}`],
    ['GET', (s) => `/api/v1/analytics/stats?project=${s}`],
    ['GET', (s) => `/api/v1/events?project=${s}`],
    ['DELETE', (s) => `/api/v1/users/u-cp?project=${s}`],
    ['POST', (s) => `/api/v1/insights/generate?project=${s}`, {}],
  ];
  const keysBefore = await keyState();
  const membersBefore = await members();
  for (const [method, path, json] of routes) {
    const seen = [];
    for (const target of [slug, 'no-such-project', 'zz-missing-9']) {
      const res = await stack.request(method, path(target), { key: acct.outsider.token, json });
      const b = expectError(stack, res, 403, 'forbidden');
      seen.push(`${b.error}|${b.message}|${JSON.stringify(b.details)}`);
    }
    assert.equal(new Set(seen).size, 1, `${method} ${path('…')}: answers differ: ${seen.join(' / ')}`);
  }
  // members of the project are told apart from no-one only inside it: a
  // missing project reads the same to them as to the outsider
  for (const who of ['owner', 'admin', 'viewer']) {
    const res = await stack.get('/api/v1/projects/no-such-project/keys', { key: acct[who].token });
    const b = expectError(stack, res, 403, 'forbidden');
    const other = expectError(stack, await stack.get(`/api/v1/projects/${acct.outsider.slug}/keys`,
      { key: acct[who].token }), 403, 'forbidden');
    assert.equal(b.message, other.message);
  }
  assert.deepEqual(await keyState(), keysBefore);
  assert.deepEqual(await members(), membersBefore);
  // the outsider is a working login in its own project
  expectStatus(stack, await stack.get(`/api/v1/projects/${acct.outsider.slug}/keys`,
    { key: acct.outsider.token }), 200);
});

test('roles: a login reading without naming a project gets 400 project_required', async () => {
  expectError(stack, await stack.get('/api/v1/events', { key: acct.viewer.token }), 400, 'project_required');
  expectError(stack, await stack.get('/api/v1/analytics/stats', { key: acct.owner.token }), 400, 'project_required');
});

test('roles: a secret key naming its own project in the control path is still refused', async () => {
  // the key belongs to the project, but keys never reach the control plane
  for (const key of [acct.owner.secret, acct.outsider.secret]) {
    expectError(stack, await stack.get(`/api/v1/projects/${slug}/keys`, { key }), 403, 'forbidden');
    expectError(stack, await stack.post(`/api/v1/projects/${slug}/keys`, { kind: 'secret' }, { key }), 403, 'forbidden');
  }
});

test('roles: a demoted admin loses admin rights on the next request', async () => {
  await ensureMember(acct.extra, 'admin');
  const k = await stack.post(`/api/v1/projects/${slug}/keys`, { kind: 'ingest', name: 'by extra' },
    { key: acct.extra.token });
  expectStatus(stack, k, 201);
  await ensureMember(acct.extra, 'viewer');
  const before = await keyState();
  for (let i = 0; i < 4; i++) {
    expectError(stack, await stack.post(`/api/v1/projects/${slug}/keys`, { kind: 'ingest' },
      { key: acct.extra.token }), 403, 'forbidden');
    expectError(stack, await stack.del(`/api/v1/projects/${slug}/keys/${k.body.id}`,
      { key: acct.extra.token }), 403, 'forbidden');
  }
  assert.deepEqual(await keyState(), before);
  await ensureNotMember(acct.extra);
});

/* ----------------------------------------------------------------- keys API */

test('keys: the full key is in the 201 answer once and never listed again', async () => {
  const res = await stack.post(`/api/v1/projects/${slug}/keys`, { kind: 'ingest', name: 'shown once' }, owner());
  expectStatus(stack, res, 201);
  const k = res.body;
  assert.match(k.key, /^tk_pub_[A-Za-z0-9_-]{22,}$/);
  assert.equal(k.kind, 'ingest');
  assert.equal(k.name, 'shown once');
  assert.ok(k.key.startsWith(k.prefix), 'the prefix is the start of the key');
  assert.ok(k.prefix.length < k.key.length / 2, 'the prefix gives away a short part only');
  assert.equal(k.revoked_at, null);
  for (const who of ['owner', 'admin', 'viewer']) {
    const list = await stack.get(`/api/v1/projects/${slug}/keys`, { key: acct[who].token });
    expectStatus(stack, list, 200);
    const row = list.body.data.find((x) => x.id === k.id);
    assert.ok(row, 'the new key is listed');
    assert.equal(row.key, undefined);
    assert.equal(row.prefix, k.prefix);
    assert.ok(!list.text.includes(k.key), 'the list carries the full key');
    assert.ok(!list.text.includes(k.key.slice(k.prefix.length)), 'the list carries the key body');
  }
  for (const p of ['/api/v1/me', '/api/v1/projects']) {
    assert.ok(!(await stack.get(p, owner())).text.includes(k.key));
  }
  assert.ok(!stack.logText().includes(k.key.slice(k.prefix.length)), 'the key is in the logs');
});

test('keys: a new ingest key writes at once, a new secret key reads at once', async () => {
  const ing = await freshKey('ingest');
  const m = uid('fresh');
  expectStatus(stack, await track(ing.key, { messageId: m }), 200);
  const sec = await freshKey('secret');
  assert.match(sec.key, /^tk_sec_/);
  const rows = await stack.allEvents(sec.key, 'event=cp_probe');
  assert.equal(rows.filter((e) => e.messageId === m).length, 1);
  // and the ingest one may still not read
  expectError(stack, await stack.get('/api/v1/events', { key: ing.key }), 403, 'forbidden');
});

test('keys: a revoked key is refused at once by every worker', async () => {
  const ing = await freshKey('ingest');
  const sec = await freshKey('secret');
  // warm every worker's key cache (4 workers; nginx spreads the connections)
  for (let i = 0; i < 16; i++) {
    expectStatus(stack, await track(ing.key), 200);
    expectStatus(stack, await stack.get('/api/v1/events?limit=1', { key: sec.key }), 200);
  }
  const r1 = await stack.del(`/api/v1/projects/${slug}/keys/${ing.id}`, { key: acct.admin.token });
  expectStatus(stack, r1, 204);
  const r2 = await stack.del(`/api/v1/projects/${slug}/keys/${sec.id}`, { key: acct.admin.token });
  expectStatus(stack, r2, 204);
  const refused = await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2
    ? track(ing.key) : stack.get('/api/v1/events?limit=1', { key: sec.key }))));
  for (const res of refused) expectError(stack, res, 401, 'invalid_credentials');
  for (let i = 0; i < 8; i++) expectError(stack, await track(ing.key), 401, 'invalid_credentials');
  // listed as revoked; a second revoke finds no active key
  const row = (await keyList()).find((k) => k.id === ing.id);
  assert.ok(row.revoked_at, 'revoked_at is set');
  expectError(stack, await stack.del(`/api/v1/projects/${slug}/keys/${ing.id}`, owner()), 404, 'not_found');
  // the project's other keys keep working
  expectStatus(stack, await track(acct.owner.ingest), 200);
  expectStatus(stack, await stack.get('/api/v1/events?limit=1', { key: acct.owner.secret }), 200);
});

test('keys: another project\'s key id through your own project path is 404, and that key keeps working', async () => {
  const theirs = acct.outsider;
  for (const who of ['owner', 'admin']) {
    for (const id of [theirs.ingestId, theirs.secretId]) {
      const res = await stack.del(`/api/v1/projects/${slug}/keys/${id}`, { key: acct[who].token });
      expectError(stack, res, 404, 'not_found');
    }
  }
  for (const id of ['0', '-1', 'abc', '99999999', '1e3', '9223372036854775808']) {
    expectError(stack, await stack.del(`/api/v1/projects/${slug}/keys/${id}`, owner()), 404, 'not_found');
  }
  expectStatus(stack, await track(theirs.ingest), 200);
  expectStatus(stack, await stack.get('/api/v1/events?limit=1', { key: theirs.secret }), 200);
  const list = await stack.get(`/api/v1/projects/${theirs.slug}/keys`, { key: theirs.token });
  for (const k of list.body.data) assert.equal(k.revoked_at, null);
});

test('keys: kind other than ingest/secret, bad names and unknown fields are 400 validation_failed', async () => {
  const before = await keyState();
  const cases = [
    [{ kind: 'admin' }, 'kind'],
    [{ kind: 'INGEST' }, 'kind'],
    [{ kind: '' }, 'kind'],
    [{}, 'kind'],
    [{ kind: 1 }, 'kind'],
    [{ kind: null }, 'kind'],
    [{ kind: ['ingest'] }, 'kind'],
    [{ kind: 'ingest', name: 5 }, 'name'],
    [{ kind: 'ingest', name: 'x'.repeat(500) }, 'name'],
    [{ kind: 'ingest', name: 'bad\u0001name' }, 'name'],
    [{ kind: 'ingest', project_id: 1 }, 'project_id'],
  ];
  for (const [json, field] of cases) {
    const res = await stack.post(`/api/v1/projects/${slug}/keys`, json, owner());
    const b = expectError(stack, res, 400, 'validation_failed');
    assert.equal(b.details[0].field, field, JSON.stringify(json));
  }
  const arr = await stack.post(`/api/v1/projects/${slug}/keys`, ['ingest'], owner());
  expectError(stack, arr, 400, 'validation_failed');
  const notJson = await stack.request('POST', `/api/v1/projects/${slug}/keys`,
    { ...owner(), body: '{"kind":', headers: { 'Content-Type': 'application/json' } });
  expectError(stack, notJson, 400, 'invalid_json');
  assert.deepEqual(await keyState(), before);
});

/* ------------------------------------------------------------- projects API */

test('projects: a name makes a slug; a made-up slug moves aside, an asked-for one does not', async () => {
  const a = await stack.post('/api/v1/projects', { name: 'Shop Front! 2026' }, owner());
  expectStatus(stack, a, 201);
  assert.equal(a.body.slug, 'shop-front-2026');
  assert.equal(a.body.name, 'Shop Front! 2026');
  assert.equal(a.body.role, 'owner');
  const b = await stack.post('/api/v1/projects', { name: 'shop front 2026' }, { key: acct.admin.token });
  expectStatus(stack, b, 201);
  assert.notEqual(b.body.slug, a.body.slug);
  assert.match(b.body.slug, /^shop-front-2026-/);
  const c = await stack.post('/api/v1/projects', { name: '!!!' }, owner());
  expectStatus(stack, c, 201);
  assert.match(c.body.slug, /^[a-z0-9][a-z0-9-]*$/);

  const explicit = await stack.post('/api/v1/projects', { name: 'Mine', slug: 'my-explicit' }, owner());
  expectStatus(stack, explicit, 201);
  assert.equal(explicit.body.slug, 'my-explicit');
  const count = await projectCount();
  for (const [who, s] of [['owner', 'my-explicit'], ['viewer', 'my-explicit'], ['outsider', slug]]) {
    const taken = await stack.post('/api/v1/projects', { name: 'Dup', slug: s }, { key: acct[who].token });
    expectError(stack, taken, 409, 'slug_taken');
  }
  assert.equal(await projectCount(), count, 'a refused create made a project');
  // the taken project is not touched: still the owner's, still its name
  const mine = (await stack.get('/api/v1/projects', owner())).body.data.find((p) => p.slug === 'my-explicit');
  assert.equal(mine.name, 'Mine');
});

test('projects: bad slugs, names and fields are 400 with the field named', async () => {
  const count = await projectCount();
  const cases = [
    [{ name: 'x', slug: 'Upper' }, 'slug'],
    [{ name: 'x', slug: '-lead' }, 'slug'],
    [{ name: 'x', slug: 'has space' }, 'slug'],
    [{ name: 'x', slug: 'a/b' }, 'slug'],
    [{ name: 'x', slug: 'dot.ted' }, 'slug'],
    [{ name: 'x', slug: 'é' }, 'slug'],
    [{ name: 'x', slug: '' }, 'slug'],
    [{ name: 'x', slug: 'a'.repeat(64) }, 'slug'],
    [{ name: 'x', slug: 12 }, 'slug'],
    [{ slug: 'no-name' }, 'name'],
    [{ name: '' }, 'name'],
    [{ name: 7 }, 'name'],
    [{ name: null }, 'name'],
    [{ name: 'x'.repeat(1000) }, 'name'],
    [{ name: 'x', owner: 3 }, 'owner'],
  ];
  for (const [json, field] of cases) {
    const res = await stack.post('/api/v1/projects', json, owner());
    const b = expectError(stack, res, 400, 'validation_failed');
    assert.equal(b.details[0].field, field, JSON.stringify(json));
  }
  const ok63 = await stack.post('/api/v1/projects', { name: 'x', slug: 'a'.repeat(63) }, owner());
  expectStatus(stack, ok63, 201);
  assert.equal(await projectCount(), count + 1);
});

async function patch(json, who = 'owner', target = slug) {
  return stack.request('PATCH', `/api/v1/projects/${target}`, { key: acct[who].token, json });
}

test('projects: PATCH validation names the field and changes nothing', async () => {
  const before = await ownerProject();
  const cases = [
    [{ retention_days: -1 }, 'retention_days'],
    [{ retention_days: '30' }, 'retention_days'],
    [{ retention_days: 1.5 }, 'retention_days'],
    [{ retention_days: 36501 }, 'retention_days'],
    [{ retention_days: true }, 'retention_days'],
    [{ rate_limit_per_min: -5 }, 'rate_limit_per_min'],
    [{ rate_limit_per_min: '600' }, 'rate_limit_per_min'],
    [{ rate_limit_per_min: 100000001 }, 'rate_limit_per_min'],
    [{ rate_limit_per_ip_per_min: -1 }, 'rate_limit_per_ip_per_min'],
    [{ rate_limit_per_ip_per_min: {} }, 'rate_limit_per_ip_per_min'],
    [{ rate_limit_project_per_min: -1 }, 'rate_limit_project_per_min'],
    [{ rate_limit_project_per_min: [1] }, 'rate_limit_project_per_min'],
    [{ allowed_origins: 'https://a.example' }, 'allowed_origins'],
    [{ allowed_origins: ['a.example'] }, 'allowed_origins'],
    [{ allowed_origins: ['https://a.example/path'] }, 'allowed_origins'],
    [{ allowed_origins: ['ftp://a.example'] }, 'allowed_origins'],
    [{ allowed_origins: [5] }, 'allowed_origins'],
    [{ allowed_origins: Array.from({ length: 33 }, (_, i) => `https://h${i}.example`) }, 'allowed_origins'],
    [{ name: '' }, 'name'],
    [{ name: 3 }, 'name'],
    [{ slug: 'new-slug' }, 'slug'],
    [{ retention: 30 }, 'retention'],
    [{ retention_days: 30, colour: 'red' }, 'colour'],
  ];
  for (const [json, field] of cases) {
    const b = expectError(stack, await patch(json), 400, 'validation_failed');
    assert.ok(Array.isArray(b.details) && b.details.length >= 1, JSON.stringify(json));
    assert.equal(b.details[0].field, field, JSON.stringify(json));
  }
  // a body with one good and one bad member changes neither
  expectError(stack, await patch({ retention_days: 12, rate_limit_per_min: -1 }), 400, 'validation_failed');
  expectError(stack, await patch([1, 2]), 400, 'validation_failed');
  assert.deepEqual(await ownerProject(), before);
});

test('projects: PATCH changes show in GET /projects; null gives the setting back to the server', async () => {
  const set = {
    name: 'Renamed Shop',
    retention_days: 30,
    rate_limit_per_min: 1200,
    rate_limit_per_ip_per_min: 120,
    rate_limit_project_per_min: 5000,
    allowed_origins: ['https://shop.example', 'http://localhost:5173'],
  };
  const res = await patch(set);
  expectStatus(stack, res, 200);
  assert.equal(res.body.slug, slug, 'a rename keeps the slug');
  let p = await ownerProject();
  assert.equal(p.name, 'Renamed Shop');
  assert.deepEqual(p.settings, {
    retention_days: 30, rate_limit_per_min: 1200, rate_limit_per_ip_per_min: 120,
    rate_limit_project_per_min: 5000, allowed_origins: set.allowed_origins,
  });
  // members see the same; the route still answers the old slug
  const seen = (await stack.get('/api/v1/projects', { key: acct.viewer.token })).body.data.find((x) => x.slug === slug);
  assert.deepEqual(seen.settings, p.settings);
  // a partial PATCH leaves the rest as it was
  expectStatus(stack, await patch({ retention_days: 0 }), 200);
  p = await ownerProject();
  assert.equal(p.settings.retention_days, 0);
  assert.equal(p.settings.rate_limit_per_min, 1200);
  assert.equal(p.name, 'Renamed Shop');
  // null: back to the server's setting
  const reset = await patch({ retention_days: null, rate_limit_per_min: null, rate_limit_per_ip_per_min: null,
    rate_limit_project_per_min: null });
  expectStatus(stack, reset, 200);
  p = await ownerProject();
  assert.equal(p.settings.retention_days, null);
  assert.equal(p.settings.rate_limit_per_min, null);
  assert.equal(p.settings.rate_limit_per_ip_per_min, null);
  assert.equal(p.settings.rate_limit_project_per_min, null);
  assert.deepEqual(p.settings.allowed_origins, set.allowed_origins);
  // an empty list clears the origins; an empty body changes nothing
  expectStatus(stack, await patch({ allowed_origins: [] }), 200);
  const empty = await patch({});
  expectStatus(stack, empty, 200);
  p = await ownerProject();
  assert.deepEqual(p.settings.allowed_origins, []);
  assert.equal(p.name, 'Renamed Shop');
  // keys keep working through the settings changes
  expectStatus(stack, await track(acct.owner.ingest), 200);
});

test('projects: the last owner can be neither removed nor demoted (409 last_owner)', async () => {
  const made = await stack.post('/api/v1/projects', { name: 'Owned Once', slug: 'owned-once' }, owner());
  expectStatus(stack, made, 201);
  const s = made.body.slug;
  const add = (email, role) => stack.post(`/api/v1/projects/${s}/members`, { email, role }, owner());
  expectStatus(stack, await add(acct.admin.email, 'admin'), 200);
  const before = await members(s);

  const rm = await stack.del(`/api/v1/projects/${s}/members/${acct.owner.id}`, owner());
  expectError(stack, rm, 409, 'last_owner');
  for (const role of ['admin', 'viewer']) {
    expectError(stack, await add(acct.owner.email, role), 409, 'last_owner');
    expectError(stack, await add(acct.owner.email.toUpperCase(), role), 409, 'last_owner');
  }
  assert.deepEqual(await members(s), before);
  expectStatus(stack, await patch({ name: 'still owned' }, 'owner', s), 200);

  // with a second owner, the first may step down, and then the second is the last
  expectStatus(stack, await add(acct.admin.email, 'owner'), 200);
  expectStatus(stack, await add(acct.owner.email, 'viewer'), 200);
  expectError(stack, await patch({ name: 'no longer mine' }, 'owner', s), 403, 'forbidden');
  const asNew = (method, path, json) => stack.request(method, path, { key: acct.admin.token, json });
  expectError(stack, await asNew('DELETE', `/api/v1/projects/${s}/members/${acct.admin.id}`), 409, 'last_owner');
  expectError(stack, await asNew('POST', `/api/v1/projects/${s}/members`, { email: acct.admin.email, role: 'admin' }),
    409, 'last_owner');
  // removing the former owner (now a viewer) is fine
  expectStatus(stack, await asNew('DELETE', `/api/v1/projects/${s}/members/${acct.owner.id}`), 204);
  expectError(stack, await stack.get(`/api/v1/projects/${s}/keys`, owner()), 403, 'forbidden');
});

test('projects: members API validation', async () => {
  const before = await members();
  const post = (json) => stack.post(`/api/v1/projects/${slug}/members`, json, owner());
  for (const [json, field] of [
    [{ email: acct.extra.email, role: 'superuser' }, 'role'],
    [{ email: acct.extra.email, role: 'Owner' }, 'role'],
    [{ email: acct.extra.email }, 'role'],
    [{ email: 'not-an-email', role: 'viewer' }, 'email'],
    [{ role: 'viewer' }, 'email'],
    [{ email: 5, role: 'viewer' }, 'email'],
    [{ email: acct.extra.email, role: 'viewer', id: 3 }, 'id'],
  ]) {
    const b = expectError(stack, await post(json), 400, 'validation_failed');
    assert.equal(b.details[0].field, field, JSON.stringify(json));
  }
  expectError(stack, await post({ email: 'nobody@example.com', role: 'viewer' }), 404, 'not_found');
  expectError(stack, await stack.del(`/api/v1/projects/${slug}/members/${acct.outsider.id}`, owner()), 404, 'not_found');
  expectError(stack, await stack.del(`/api/v1/projects/${slug}/members/abc`, owner()), 404, 'not_found');
  assert.deepEqual(await members(), before);
});

/* ------------------------------------------------------------ side by side */

function statuses(list) {
  const out = {};
  for (const r of list) out[r.status] = (out[r.status] || 0) + 1;
  return out;
}

test('side by side: parallel creates of one slug make one project, the rest 409 slug_taken', async () => {
  const count = await projectCount();
  const who = ['owner', 'admin', 'viewer', 'outsider', 'owner', 'admin'];
  const res = await Promise.all(who.map((w, i) =>
    stack.post('/api/v1/projects', { name: `race ${i}`, slug: 'raced-slug' }, { key: acct[w].token })));
  assert.deepEqual(statuses(res), { 201: 1, 409: 5 });
  for (const r of res.filter((x) => x.status === 409)) expectError(stack, r, 409, 'slug_taken');
  assert.equal(await projectCount(), count + 1);
  // the winner is its one member, as owner
  const winner = acct[who[res.findIndex((r) => r.status === 201)]];
  const members = await stack.get('/api/v1/projects/raced-slug/members', { key: winner.token });
  expectStatus(stack, members, 200);
  assert.deepEqual(members.body.data.map((m) => [m.email, m.role]), [[winner.email, 'owner']]);
});

test('side by side: two owners stepping down at once leave one owner', async () => {
  const made = await stack.post('/api/v1/projects', { name: 'Two Owners', slug: 'two-owners' }, owner());
  expectStatus(stack, made, 201);
  const path = '/api/v1/projects/two-owners/members';
  expectStatus(stack, await stack.post(path, { email: acct.admin.email, role: 'owner' }, owner()), 200);
  for (let round = 0; round < 3; round++) {
    // both owners demote themselves together; then make both owners again
    const res = await Promise.all([
      stack.post(path, { email: acct.owner.email, role: 'viewer' }, owner()),
      stack.post(path, { email: acct.admin.email, role: 'viewer' }, { key: acct.admin.token }),
    ]);
    const st = statuses(res);
    assert.deepEqual(st, { 200: 1, 409: 1 }, JSON.stringify(res.map((r) => r.text)));
    const remaining = res[0].status === 409 ? acct.owner : acct.admin;
    const list = (await stack.get(path, { key: remaining.token })).body.data;
    assert.deepEqual(list.filter((m) => m.role === 'owner').map((m) => m.email), [remaining.email]);
    const demoted = remaining === acct.owner ? acct.admin : acct.owner;
    expectStatus(stack, await stack.post(path, { email: demoted.email, role: 'owner' }, { key: remaining.token }), 200);
  }
  // and removing both at once likewise
  const res = await Promise.all([
    stack.del(`${path}/${acct.owner.id}`, owner()),
    stack.del(`${path}/${acct.admin.id}`, { key: acct.admin.token }),
  ]);
  assert.deepEqual(statuses(res), { 204: 1, 409: 1 });
});

test('side by side: parallel revokes of one key: one 204, the rest 404', async () => {
  const k = await freshKey('ingest');
  const res = await Promise.all(Array.from({ length: 6 }, (_, i) =>
    stack.del(`/api/v1/projects/${slug}/keys/${k.id}`, { key: acct[i % 2 ? 'admin' : 'owner'].token })));
  assert.deepEqual(statuses(res), { 204: 1, 404: 5 });
  expectError(stack, await track(k.key), 401, 'invalid_credentials');
});

/* --------------------------------------------------------- allowed origins */

test('allowed_origins: a project that lists origins takes its keys only from those pages', async () => {
  const extra = acct.extra;
  const send = (origin) => stack.post('/api/v1/track', { event: 'o', userId: 'o' },
    { key: extra.ingest, headers: origin ? { Origin: origin } : {} });
  // no list: any origin (the tracker runs anywhere)
  expectStatus(stack, await send('https://anywhere.example'), 200);
  const set = await stack.request('PATCH', `/api/v1/projects/${extra.slug}`,
    { key: extra.token, json: { allowed_origins: ['https://shop.example', 'http://localhost:3000'] } });
  expectStatus(stack, set, 200);
  assert.deepEqual(set.body.settings.allowed_origins, ['https://shop.example', 'http://localhost:3000']);
  expectStatus(stack, await send('https://shop.example'), 200);
  expectStatus(stack, await send('http://localhost:3000'), 200);
  expectStatus(stack, await send(null), 200);   // servers send no Origin
  for (const origin of ['https://evil.example', 'https://shop.example.evil', 'https://shop', 'null']) {
    const res = await send(origin);
    expectError(stack, res, 403);
    assert.match(res.body.message, /allowed_origins/);
  }
  // quotes and backslashes are refused in the list, so the match stays exact
  expectError(stack, await stack.request('PATCH', `/api/v1/projects/${extra.slug}`,
    { key: extra.token, json: { allowed_origins: ['https://a"b.example'] } }), 400);
  const cleared = await stack.request('PATCH', `/api/v1/projects/${extra.slug}`,
    { key: extra.token, json: { allowed_origins: [] } });
  expectStatus(stack, cleared, 200);
  expectStatus(stack, await send('https://evil.example'), 200);
});
