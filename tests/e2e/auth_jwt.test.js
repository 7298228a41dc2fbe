// SPEC §3 (JWT) and §8: the rejection matrix for bearer tokens, through the
// real stack. Tokens are made by hand with node:crypto so that every header,
// claim and signature can be wrong on purpose.
//
// Three stacks, started together:
//   rs  the HS256 login secret + an RSA public key (RS256), with
//       jwt_issuer and jwt_audience set (login tokens carry them too)
//   es  the HS256 login secret + a P-256 public key (ES256)
//   hs  the HS256 login secret only
//
// Every refusal is a 401 (the token is not good) or a 403 (a good token, not
// allowed there) with the §8 error body, and changes nothing: reads return no
// data, and no project, key, member or erasure happens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, expectStatus, expectError, uid } from './lib/stack.js';

const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'tally-e2e';
const LEEWAY = 60;

let keyDir;
let rs;
let es;
let hs;
const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaOther = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecOther = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsaPem = rsa.publicKey.export({ type: 'spki', format: 'pem' });
const ecPem = ec.publicKey.export({ type: 'spki', format: 'pem' });

// Per stack: the HS256 secret, and on rs: alice owns alpha, bob owns beta.
const secret = {};
let alice;
let bob;
let esAlice;
let hsAlice;
// Every token sent, to look for in the logs at the end.
const sent = new Set();

const now = () => Math.floor(Date.now() / 1000);
const b64u = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/**
 * A compact JWS by hand. header and claims are objects, or strings sent as
 * they are (for JSON that JSON.stringify cannot write, such as 1.0).
 * sign: 'none' (empty signature), a Buffer/string HMAC secret (HS256), or a
 * KeyObject (RSA: PKCS#1 v1.5, EC: the raw r||s of RFC 7518 §3.4).
 */
function jws(header, claims, sign) {
  const input = `${b64u(header)}.${b64u(claims)}`;
  let sig;
  if (sign === 'none') sig = '';
  else if (typeof sign === 'string' || Buffer.isBuffer(sign)) {
    sig = crypto.createHmac('sha256', sign).update(input).digest('base64url');
  } else if (sign.asymmetricKeyType === 'ec') {
    sig = crypto.sign('sha256', Buffer.from(input), { key: sign, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  } else {
    sig = crypto.sign('sha256', Buffer.from(input), sign).toString('base64url');
  }
  return `${input}.${sig}`;
}

/** Claims of an identity provider's token for the rs stack (issuer and audience set). */
function extClaims(extra = {}) {
  const t = now();
  return { sub: 'idp|user-1', iss: ISSUER, aud: AUDIENCE, iat: t, exp: t + 600, projects: ['alpha'], role: 'viewer', ...extra };
}

/** Claims of a login token for an account, as tally issues them on the rs stack. */
function loginClaims(accountId, extra = {}) {
  const t = now();
  return { sub: String(accountId), iss: ISSUER, aud: AUDIENCE, iat: t, exp: t + 600, ...extra };
}

const rs256 = (claims, key = rsa.privateKey, header = {}) => jws({ alg: 'RS256', typ: 'JWT', ...header }, claims, key);
const es256 = (claims, key = ec.privateKey, header = {}) => jws({ alg: 'ES256', typ: 'JWT', ...header }, claims, key);
const hs256 = (claims, key, header = {}) => jws({ alg: 'HS256', typ: 'JWT', ...header }, claims, key);

/** One char of s at i changed to another base64url char. */
function flip(s, i) {
  const c = s[i] === 'A' ? 'B' : 'A';
  return s.slice(0, i) + c + s.slice(i + 1);
}

function bearer(token, extra = {}) {
  sent.add(token);
  return { Authorization: `Bearer ${token}`, ...extra };
}

async function signup(stack, email, projectName) {
  const res = await stack.post('/api/v1/auth/signup', { email, password: 'a long enough passphrase 42', project_name: projectName });
  expectStatus(stack, res, 201);
  assert.ok(res.body.token, 'signup returns a token');
  sent.add(res.body.token);
  return { id: res.body.account.id, email, slug: res.body.project.slug, token: res.body.token, keys: res.body.keys };
}

async function seed(stack, ingestKey, n = 3) {
  const batch = [];
  for (let i = 0; i < n; i++) batch.push({ event: 'jwt_probe', userId: 'u-jwt', messageId: uid('jwt') });
  for (const m of batch) expectStatus(stack, await stack.post('/api/v1/events', m, { key: ingestKey }), 202);
}

/** The stats of a project read with a token: the 200 response. */
async function readStats(stack, token, slug, how = 'header') {
  const res = how === 'header'
    ? await stack.get('/api/v1/analytics/stats', { headers: bearer(token, { 'X-Project-Id': slug }) })
    : await stack.get(`/api/v1/analytics/stats?project=${slug}`, { headers: bearer(token) });
  return res;
}

/** Asserts a §8 error that carries nothing else (no data). */
function refusal(stack, res, status, code) {
  const b = expectError(stack, res, status, code);
  assert.deepEqual(Object.keys(b).sort(), ['details', 'error', 'message', 'request_id', 'status'],
    `an error body and nothing else: ${res.text}`);
  assert.equal(b.data, undefined);
  if (b.error === 'invalid_token' || b.error === 'token_expired') {
    assert.match(res.headers['www-authenticate'] || '', /^Bearer realm="tally", error="invalid_token"/);
  }
  return b;
}

/**
 * Everything a token could have changed on the rs stack: projects, keys,
 * alpha's and beta's members and alpha's events (read by the owner's token,
 * which leaves the keys' "last used" alone).
 */
async function snapshot(stack = rs) {
  const projects = (await stack.ctl('project', 'list')).stdout;
  const keys = (await stack.ctl('key', 'list')).stdout;
  const out = { projects, keys };
  if (stack === rs) {
    for (const [who, slug] of [[alice, 'alpha'], [bob, 'beta']]) {
      const m = await stack.get(`/api/v1/projects/${slug}/members`, { key: who.token });
      expectStatus(stack, m, 200);
      out[`members:${slug}`] = m.body.data.map((x) => `${x.account_id}:${x.role}`).sort();
    }
    const ev = await stack.get('/api/v1/events?limit=1000', { headers: { Authorization: `Bearer ${alice.token}`, 'X-Project-Id': 'alpha' } });
    expectStatus(stack, ev, 200);
    out.events = ev.body.data.length;
  }
  return out;
}

/**
 * A token that must not be accepted at all (401): reads of alpha by header
 * and by ?project=, a project, a key, a member and an erasure: all refused,
 * and afterwards nothing differs.
 */
async function refusedToken(stack, token, code = 'invalid_token') {
  const before = await snapshot(stack);
  refusal(stack, await readStats(stack, token, 'alpha', 'header'), 401, code);
  refusal(stack, await stack.get('/api/v1/events?project=alpha', { headers: bearer(token) }), 401, code);
  refusal(stack, await stack.get('/api/v1/me', { headers: bearer(token) }), 401, code);
  refusal(stack, await stack.post('/api/v1/projects', { name: uid('forged') }, { headers: bearer(token) }), 401, code);
  refusal(stack, await stack.post('/api/v1/projects/alpha/keys', { name: 'forged', kind: 'secret' },
    { headers: bearer(token) }), 401, code);
  refusal(stack, await stack.post('/api/v1/projects/alpha/members', { email: 'mallory@example.test', role: 'owner' },
    { headers: bearer(token) }), 401, code);
  refusal(stack, await stack.del('/api/v1/users/u-jwt?project=alpha', { headers: bearer(token) }), 401, code);
  assert.deepEqual(await snapshot(stack), before, 'a refused token changed nothing');
}

/**
 * A good token that has no business in project `slug` of the rs stack (403):
 * reads by header and by ?project=, keys, members and an erasure refused,
 * nothing changed.
 */
async function forbiddenIn(token, slug) {
  const before = await snapshot(rs);
  refusal(rs, await readStats(rs, token, slug, 'header'), 403, 'forbidden');
  refusal(rs, await readStats(rs, token, slug, 'query'), 403, 'forbidden');
  refusal(rs, await rs.get('/api/v1/events', { headers: bearer(token, { 'X-Project-Id': slug }) }), 403, 'forbidden');
  refusal(rs, await rs.get(`/api/v1/projects/${slug}/keys`, { headers: bearer(token) }), 403, 'forbidden');
  refusal(rs, await rs.post(`/api/v1/projects/${slug}/keys`, { name: 'sneaky', kind: 'secret' }, { headers: bearer(token) }),
    403, 'forbidden');
  refusal(rs, await rs.post(`/api/v1/projects/${slug}/members`, { email: 'mallory@example.test', role: 'owner' },
    { headers: bearer(token) }), 403, 'forbidden');
  refusal(rs, await rs.del(`/api/v1/users/u-jwt?project=${slug}`, { headers: bearer(token) }), 403, 'forbidden');
  assert.deepEqual(await snapshot(rs), before, 'a forbidden token changed nothing');
}

/** A 200 read of alpha's stats on the rs stack that sees the seeded events. */
async function readsAlpha(token, how = 'header') {
  const res = await readStats(rs, token, 'alpha', how);
  expectStatus(rs, res, 200);
  assert.ok(res.body.data.events >= 3, `alpha's events are visible: ${res.text}`);
  return res;
}

before(async () => {
  keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-jwt-keys-'));
  fs.writeFileSync(path.join(keyDir, 'rsa.pem'), rsaPem);
  fs.writeFileSync(path.join(keyDir, 'ec.pem'), ecPem);
  [rs, es, hs] = await Promise.all([
    startStack({ env: {
      TALLY_JWT_PUBLIC_KEY_FILE: path.join(keyDir, 'rsa.pem'),
      TALLY_JWT_ISSUER: ISSUER,
      TALLY_JWT_AUDIENCE: AUDIENCE,
    } }),
    startStack({ env: { TALLY_JWT_PUBLIC_KEY_FILE: path.join(keyDir, 'ec.pem') } }),
    startStack(),
  ]);
  for (const [name, s] of [['rs', rs], ['es', es], ['hs', hs]]) {
    secret[name] = fs.readFileSync(path.join(s.varDir, 'jwt.secret'), 'utf8').trim();
    assert.ok(secret[name].length >= 32);
  }
  [alice, bob, esAlice, hsAlice] = await Promise.all([
    signup(rs, 'alice@example.test', 'Alpha'),
    signup(rs, 'bob@example.test', 'Beta'),
    signup(es, 'alice@example.test', 'Alpha'),
    signup(hs, 'alice@example.test', 'Alpha'),
  ]);
  assert.equal(alice.slug, 'alpha');
  assert.equal(bob.slug, 'beta');
  assert.equal(esAlice.slug, 'alpha');
  assert.equal(hsAlice.slug, 'alpha');
  await Promise.all([
    seed(rs, alice.keys.ingest.key),
    seed(rs, bob.keys.ingest.key, 5),
    seed(es, esAlice.keys.ingest.key),
    seed(hs, hsAlice.keys.ingest.key),
  ]);
});

after(async () => {
  await Promise.all([rs, es, hs].filter(Boolean).map((s) => s.stop()));
  if (keyDir) fs.rmSync(keyDir, { recursive: true, force: true });
});

// ---- accepted tokens ----

test('a login token (HS256, from signup and from login) reads the stats of its project', async () => {
  await readsAlpha(alice.token, 'header');
  await readsAlpha(alice.token, 'query');
  const login = await rs.post('/api/v1/auth/login', { email: 'alice@example.test', password: 'a long enough passphrase 42' });
  expectStatus(rs, login, 200);
  sent.add(login.body.token);
  await readsAlpha(login.body.token);
  const me = await rs.get('/api/v1/me', { headers: bearer(login.body.token) });
  expectStatus(rs, me, 200);
  assert.equal(me.body.account.id, alice.id);
  assert.deepEqual(me.body.projects.map((p) => p.slug), ['alpha']);
  // the same on a server with only the HS256 secret
  const h = await readStats(hs, hsAlice.token, 'alpha');
  expectStatus(hs, h, 200);
  assert.ok(h.body.data.events >= 3);
});

test('an RS256 token of the identity provider with projects [alpha] and role viewer reads alpha', async () => {
  const res = await readsAlpha(rs256(extClaims()));
  assert.equal(res.headers['www-authenticate'], undefined);
  await readsAlpha(rs256(extClaims()), 'query');
});

test('an ES256 token of the identity provider with projects [alpha] and role viewer reads alpha', async () => {
  const t = now();
  const tok = es256({ sub: 'idp|user-2', iat: t, exp: t + 600, projects: ['alpha'], role: 'viewer' });
  const res = await readStats(es, tok, 'alpha');
  expectStatus(es, res, 200);
  assert.ok(res.body.data.events >= 3);
});

// ---- algorithm ----

test('alg none without a signature: 401', async () => {
  for (const alg of ['none', 'None', 'NONE']) {
    await refusedToken(rs, jws({ alg, typ: 'JWT' }, loginClaims(alice.id), 'none'));
    await refusedToken(rs, jws({ alg, typ: 'JWT' }, extClaims({ role: 'owner' }), 'none'));
  }
});

test('alg none with a signature (HMAC with the real secret, or garbage): 401', async () => {
  await refusedToken(rs, jws({ alg: 'none' }, loginClaims(alice.id), secret.rs));
  await refusedToken(rs, jws({ alg: 'none' }, extClaims({ role: 'owner' }), rsa.privateKey));
  const unsigned = jws({ alg: 'none' }, loginClaims(alice.id), 'none');
  await refusedToken(rs, `${unsigned}${crypto.randomBytes(32).toString('base64url')}`);
});

test('algorithm confusion: HS256 with the RS256 public key PEM as the HMAC secret: 401', async () => {
  // libjwt 1.10 alone accepts this (STACK-NOTES); every spelling of the PEM
  for (const pem of [rsaPem, rsaPem.trim(), fs.readFileSync(path.join(keyDir, 'rsa.pem'))]) {
    await refusedToken(rs, hs256(loginClaims(alice.id), pem));
    await refusedToken(rs, hs256(extClaims({ role: 'owner' }), pem));
  }
  // the same on the ES256 stack with its P-256 PEM
  const t = now();
  const before = await snapshot(es);
  for (const pem of [ecPem, ecPem.trim()]) {
    const tok = hs256({ sub: String(esAlice.id), iat: t, exp: t + 600, projects: ['alpha'], role: 'owner' }, pem);
    refusal(es, await readStats(es, tok, 'alpha'), 401, 'invalid_token');
    refusal(es, await es.post('/api/v1/projects', { name: uid('confused') }, { headers: bearer(tok) }), 401, 'invalid_token');
  }
  assert.deepEqual(await snapshot(es), before);
});

test('an RS256 token on a server with only the HS256 secret: 401', async () => {
  const t = now();
  const before = await snapshot(hs);
  for (const claims of [
    { sub: 'idp|user-1', iat: t, exp: t + 600, projects: ['alpha'], role: 'owner' },
    { sub: String(hsAlice.id), iat: t, exp: t + 600 },
  ]) {
    const tok = rs256(claims);
    refusal(hs, await readStats(hs, tok, 'alpha'), 401, 'invalid_token');
    refusal(hs, await hs.get('/api/v1/me', { headers: bearer(tok) }), 401, 'invalid_token');
    refusal(hs, await hs.post('/api/v1/projects', { name: uid('rs-on-hs') }, { headers: bearer(tok) }), 401, 'invalid_token');
    // nor ES256
    refusal(hs, await readStats(hs, es256(claims), 'alpha'), 401, 'invalid_token');
  }
  assert.deepEqual(await snapshot(hs), before);
});

test('an HS256 token signed with another secret, where RS256 is configured: 401', async () => {
  await refusedToken(rs, hs256(loginClaims(alice.id), crypto.randomBytes(48).toString('hex')));
  // the secret of another tally server
  await refusedToken(rs, hs256(loginClaims(alice.id), secret.hs));
  // and a login token of that other server, as it issued it
  await refusedToken(rs, hsAlice.token);
});

test('an RS256 token signed by another RSA key: 401', async () => {
  await refusedToken(rs, rs256(extClaims({ role: 'owner' }), rsaOther.privateKey));
  await refusedToken(rs, rs256(loginClaims(alice.id), rsaOther.privateKey));
});

test('an ES256 token where the configured key is RSA: 401', async () => {
  await refusedToken(rs, es256(extClaims(), ec.privateKey));
  // and the other way round: RS256 where the configured key is P-256
  const t = now();
  const tok = rs256({ sub: 'idp|user-1', iat: t, exp: t + 600, projects: ['alpha'], role: 'viewer' });
  refusal(es, await readStats(es, tok, 'alpha'), 401, 'invalid_token');
  // an ES256 token by another P-256 key
  const other = es256({ sub: 'idp|user-1', iat: t, exp: t + 600, projects: ['alpha'], role: 'viewer' }, ecOther.privateKey);
  refusal(es, await readStats(es, other, 'alpha'), 401, 'invalid_token');
});

// ---- shape and signature ----

test('a signature with one char flipped: 401', async () => {
  for (const tok of [alice.token, rs256(extClaims())]) {
    const sigAt = tok.lastIndexOf('.') + 1;
    for (const i of [sigAt, sigAt + 10, tok.length - 2]) await refusedToken(rs, flip(tok, i));
  }
  const t = now();
  const good = es256({ sub: 'idp|user-2', iat: t, exp: t + 600, projects: ['alpha'], role: 'viewer' });
  refusal(es, await readStats(es, flip(good, good.lastIndexOf('.') + 5), 'alpha'), 401, 'invalid_token');
});

test('a payload changed after signing: 401', async () => {
  const tok = rs256(extClaims());
  const [h, , s] = tok.split('.');
  await refusedToken(rs, `${h}.${b64u(extClaims({ role: 'owner' }))}.${s}`);
  const [lh, , ls] = alice.token.split('.');
  await refusedToken(rs, `${lh}.${b64u(loginClaims(bob.id))}.${ls}`);
});

test('a truncated token: 401', async () => {
  const tok = alice.token;
  const [h, p] = tok.split('.');
  for (const cut of [tok.slice(0, -1), tok.slice(0, -8), tok.slice(0, tok.lastIndexOf('.')), `${h}.${p.slice(0, 10)}`,
    tok.slice(0, h.length + 1), h.slice(0, 5) + '.']) {
    await refusedToken(rs, cut);
  }
});

test('extra segments (4 and 5 parts): 401', async () => {
  const tok = rs256(extClaims());
  const [h, p, s] = tok.split('.');
  await refusedToken(rs, `${tok}.${s}`);
  await refusedToken(rs, `${h}.${p}.${p}.${s}`);
  await refusedToken(rs, `${tok}.`);
  // a JWE-shaped token (5 parts)
  await refusedToken(rs, `${h}.${p}.${s}.${p}.${s}`);
  await refusedToken(rs, `${alice.token}.x.y`);
});

test('empty segments: 401', async () => {
  const [h, p, s] = alice.token.split('.');
  for (const t of [`.${p}.${s}`, `${h}..${s}`, `${h}.${p}.`, '..', '.', `${h}.${p}..`, `..${s}`]) {
    await refusedToken(rs, t);
  }
});

// ---- exp ----

test('exp missing: 401', async () => {
  const { exp, ...noExp } = extClaims();
  assert.ok(exp);
  await refusedToken(rs, rs256(noExp));
  const { exp: e2, ...loginNoExp } = loginClaims(alice.id);
  assert.ok(e2);
  await refusedToken(rs, hs256(loginNoExp, secret.rs));
});

test('exp in the past beyond the 60 s leeway: 401 token_expired', async () => {
  await refusedToken(rs, rs256(extClaims({ exp: now() - LEEWAY - 60 })), 'token_expired');
  await refusedToken(rs, hs256(loginClaims(alice.id, { iat: now() - 7200, exp: now() - LEEWAY - 60 }), secret.rs), 'token_expired');
});

test('exp in the past inside the 60 s leeway: accepted', async () => {
  await readsAlpha(rs256(extClaims({ exp: now() - 20 })));
  await readsAlpha(hs256(loginClaims(alice.id, { exp: now() - 20 }), secret.rs));
});

test('exp as a float: 401', async () => {
  const t = now();
  for (const expText of [`${t + 600}.5`, `${t + 600}.0`, `${t + 600}e0`]) {
    const claims = JSON.stringify(extClaims()).replace(/"exp":\d+/, `"exp":${expText}`);
    assert.ok(claims.includes(`"exp":${expText}`));
    await refusedToken(rs, rs256(claims));
    const login = JSON.stringify(loginClaims(alice.id)).replace(/"exp":\d+/, `"exp":${expText}`);
    await refusedToken(rs, hs256(login, secret.rs));
  }
});

test('exp as a string: 401', async () => {
  const t = now();
  await refusedToken(rs, rs256(extClaims({ exp: String(t + 600) })));
  await refusedToken(rs, hs256(loginClaims(alice.id, { exp: String(t + 600) }), secret.rs));
  await refusedToken(rs, rs256(extClaims({ exp: null })));
  await refusedToken(rs, rs256(extClaims({ exp: true })));
  await refusedToken(rs, rs256(extClaims({ exp: 0 })));
  await refusedToken(rs, rs256(extClaims({ exp: -1 })));
});

// ---- nbf ----

test('nbf in the future beyond the 60 s leeway: 401', async () => {
  await refusedToken(rs, rs256(extClaims({ nbf: now() + LEEWAY + 60 })));
  await refusedToken(rs, hs256(loginClaims(alice.id, { nbf: now() + LEEWAY + 60 }), secret.rs));
  await refusedToken(rs, rs256(extClaims({ nbf: String(now()) })));
});

test('nbf in the future inside the 60 s leeway: accepted', async () => {
  await readsAlpha(rs256(extClaims({ nbf: now() + 20 })));
  await readsAlpha(hs256(loginClaims(alice.id, { nbf: now() + 20 }), secret.rs));
});

// ---- iss and aud (jwt_issuer and jwt_audience are set on the rs stack) ----

test('a wrong or missing iss: 401', async () => {
  const { iss, ...noIss } = extClaims();
  assert.ok(iss);
  for (const claims of [extClaims({ iss: 'https://evil.example/' }), extClaims({ iss: ISSUER.slice(0, -1) }),
    extClaims({ iss: [ISSUER] }), noIss]) {
    await refusedToken(rs, rs256(claims));
  }
  await refusedToken(rs, hs256(loginClaims(alice.id, { iss: 'tally-elsewhere' }), secret.rs));
});

test('a wrong aud (string): 401', async () => {
  const { aud, ...noAud } = extClaims();
  assert.ok(aud);
  for (const claims of [extClaims({ aud: 'another-app' }), extClaims({ aud: `${AUDIENCE} ` }), extClaims({ aud: '' }), noAud]) {
    await refusedToken(rs, rs256(claims));
  }
  await refusedToken(rs, hs256(loginClaims(alice.id, { aud: 'another-app' }), secret.rs));
});

test('a wrong aud (array without the audience): 401', async () => {
  for (const aud of [['another-app'], [], ['another-app', `${AUDIENCE}x`], [[AUDIENCE]], [{ aud: AUDIENCE }]]) {
    await refusedToken(rs, rs256(extClaims({ aud })));
  }
});

test('aud as an array holding the audience: accepted', async () => {
  await readsAlpha(rs256(extClaims({ aud: [AUDIENCE] })));
  await readsAlpha(rs256(extClaims({ aud: ['another-app', AUDIENCE] })));
  await readsAlpha(hs256(loginClaims(alice.id, { aud: ['another-app', AUDIENCE] }), secret.rs));
});

// ---- kid and crit ----

test('kid is ignored: an unknown kid with a signature of the configured key is accepted', async () => {
  // tally trusts one key per algorithm (jwt_public_key_file) and never looks
  // a key up by kid, so a kid it does not know changes nothing: the token is
  // judged by the configured key alone.
  await readsAlpha(rs256(extClaims(), rsa.privateKey, { kid: 'no-such-kid' }));
  await readsAlpha(rs256(extClaims(), rsa.privateKey, { kid: 'https://evil.example/jwks.json#k1' }));
  await readsAlpha(hs256(loginClaims(alice.id), secret.rs, { kid: '../../etc/passwd' }));
});

test('an unknown kid with a signature of another key: 401', async () => {
  await refusedToken(rs, rs256(extClaims({ role: 'owner' }), rsaOther.privateKey, { kid: 'no-such-kid' }));
  await refusedToken(rs, hs256(loginClaims(alice.id), secret.hs, { kid: 'hs' }));
});

test('a crit header is refused even with a good signature: 401', async () => {
  await refusedToken(rs, rs256(extClaims(), rsa.privateKey, { crit: ['exp'] }));
  await refusedToken(rs, rs256(extClaims(), rsa.privateKey, { crit: ['x-tally'], 'x-tally': 1 }));
  await refusedToken(rs, hs256(loginClaims(alice.id), secret.rs, { crit: [] }));
});

// ---- accounts and projects ----

test('a login token whose account does not exist (forged with the real secret): 401', async () => {
  await refusedToken(rs, hs256(loginClaims(999999), secret.rs));
  for (const sub of ['0', '-1', 'alice', `${alice.id}x`, '']) {
    await refusedToken(rs, hs256(loginClaims(alice.id, { sub }), secret.rs));
  }
});

test('a login token of project A\'s owner used on project B: 403 (X-Project-Id and ?project=)', async () => {
  // bob owns beta only
  await forbiddenIn(bob.token, 'alpha');
  // and a project that does not exist looks the same
  refusal(rs, await readStats(rs, bob.token, 'no-such-project'), 403, 'forbidden');
  // his own project still reads
  const own = await readStats(rs, bob.token, 'beta');
  expectStatus(rs, own, 200);
});

test('an external token whose projects claim lists A, used on B: 403', async () => {
  await forbiddenIn(rs256(extClaims({ projects: ['alpha'], role: 'owner' })), 'beta');
  await forbiddenIn(rs256(extClaims({ projects: [], role: 'owner' })), 'alpha');
  await forbiddenIn(rs256(extClaims({ projects: ['ALPHA', 'alpha '], role: 'owner' })), 'alpha');
  const { projects, ...noProjects } = extClaims({ role: 'owner' });
  assert.ok(projects);
  await forbiddenIn(rs256(noProjects), 'alpha');
});

test('an external token without a role (or an unknown one): 403', async () => {
  const { role, ...noRole } = extClaims();
  assert.ok(role);
  await forbiddenIn(rs256(noRole), 'alpha');
  await forbiddenIn(rs256(extClaims({ role: 'superuser' })), 'alpha');
  await forbiddenIn(rs256(extClaims({ role: 'Owner' })), 'alpha');
  // it still authenticates: /me answers, with no project
  const me = await rs.get('/api/v1/me', { headers: bearer(rs256(noRole)) });
  expectStatus(rs, me, 200);
  assert.deepEqual(me.body.projects, []);
});

test('an external viewer cannot act above its role: 403', async () => {
  const tok = rs256(extClaims({ role: 'viewer' }));
  const before = await snapshot(rs);
  refusal(rs, await rs.post('/api/v1/projects/alpha/keys', { name: 'v', kind: 'secret' }, { headers: bearer(tok) }), 403, 'forbidden');
  refusal(rs, await rs.del('/api/v1/users/u-jwt?project=alpha', { headers: bearer(tok) }), 403, 'forbidden');
  refusal(rs, await rs.post('/api/v1/projects', { name: uid('ext') }, { headers: bearer(tok) }), 403, 'forbidden');
  assert.deepEqual(await snapshot(rs), before);
});

test('a removed membership stops the same token at once: 403', async () => {
  const carol = await signup(rs, 'carol@example.test', 'Carol');
  assert.equal(carol.slug, 'carol');
  // not a member yet
  refusal(rs, await readStats(rs, carol.token, 'alpha'), 403, 'forbidden');
  const add = await rs.post('/api/v1/projects/alpha/members', { email: carol.email, role: 'viewer' },
    { headers: bearer(alice.token) });
  expectStatus(rs, add, 200);
  assert.equal(add.body.account_id, carol.id);
  // every worker sees the membership
  for (let i = 0; i < 4; i++) await readsAlpha(carol.token);
  const del = await rs.del(`/api/v1/projects/alpha/members/${carol.id}`, { headers: bearer(alice.token) });
  expectStatus(rs, del, 204);
  for (let i = 0; i < 4; i++) {
    refusal(rs, await readStats(rs, carol.token, 'alpha'), 403, 'forbidden');
    refusal(rs, await readStats(rs, carol.token, 'alpha', 'query'), 403, 'forbidden');
  }
  await forbiddenIn(carol.token, 'alpha');
  // the token itself stays good for her own project
  expectStatus(rs, await readStats(rs, carol.token, 'carol'), 200);
});

test('an oversized token: 401 while nginx passes it, then nginx\'s 400, both with the §8 body', async () => {
  // nginx holds a header line in one 8 KB buffer (large_client_header_buffers);
  // a longer Authorization never reaches the worker. Its refusal is still JSON.
  const [h, , sig] = rs256(extClaims()).split('.');
  for (const [len, status, code] of [[8000, 401, 'invalid_token'], [9000, 400, 'bad_request'], [32000, 400, 'bad_request']]) {
    const tok = `${h}.${'A'.repeat(len - h.length - sig.length - 2)}.${sig}`;
    assert.equal(tok.length, len);
    refusal(rs, await rs.get('/api/v1/analytics/stats', { headers: bearer(tok, { 'X-Project-Id': 'alpha' }) }), status, code);
    refusal(rs, await rs.get('/api/v1/me', { headers: { 'X-API-Key': tok } }), status, code);
  }
});

test('a login token on an ingest route: 403, nothing stored', async () => {
  const before = await snapshot(rs);
  const m = { event: 'jwt_probe', userId: 'u-jwt', messageId: uid('jwt-write') };
  refusal(rs, await rs.post('/api/v1/events', m, { headers: bearer(alice.token, { 'X-Project-Id': 'alpha' }) }), 403, 'forbidden');
  refusal(rs, await rs.post('/api/v1/batch', { batch: [{ type: 'track', ...m }] }, { headers: bearer(rs256(extClaims({ role: 'owner' }))) }),
    403, 'forbidden');
  assert.deepEqual(await snapshot(rs), before);
});

test('two project names at once never reach the one the token has no access to', async () => {
  // bob may read beta (5 events) and not alpha (3 events); X-Project-Id is
  // the one a JWT read acts on, and membership is checked on it
  const combos = [
    { headers: { 'X-Project-Id': 'beta' }, query: '?project=alpha' },
    { headers: { 'X-Project-Id': 'alpha' }, query: '?project=beta' },
    { headers: { 'X-Project-Id': 'beta', 'X-Tenant-Id': 'alpha' }, query: '' },
    { headers: { 'X-Tenant-Id': 'alpha' }, query: '?project=beta' },
  ];
  for (const tok of [bob.token, rs256(extClaims({ projects: ['beta'], role: 'owner' }))]) {
    for (const { headers, query } of combos) {
      const res = await rs.get(`/api/v1/analytics/stats${query}`, { headers: bearer(tok, headers) });
      if (res.status === 200) assert.equal(res.body.data.events, 5, `only beta's data: ${res.text}`);
      else refusal(rs, res, 403, 'forbidden');
    }
  }
});

// ---- where the token is sent ----

test('a token in X-API-Key behaves as Authorization: Bearer', async () => {
  // the credential header is read the same way for keys and tokens: a value
  // with a dot is a JWT, whichever header carries it
  const ext = rs256(extClaims());
  sent.add(ext);
  for (const tok of [alice.token, ext]) {
    const res = await rs.get('/api/v1/analytics/stats', { headers: { 'X-API-Key': tok, 'X-Project-Id': 'alpha' } });
    expectStatus(rs, res, 200);
    assert.ok(res.body.data.events >= 3);
  }
  // and refused alike: a forged one is 401, a good one elsewhere is 403
  const forged = jws({ alg: 'none' }, loginClaims(alice.id), 'none');
  sent.add(forged);
  refusal(rs, await rs.get('/api/v1/analytics/stats', { headers: { 'X-API-Key': forged, 'X-Project-Id': 'alpha' } }),
    401, 'invalid_token');
  refusal(rs, await rs.get('/api/v1/analytics/stats', { headers: { 'X-API-Key': flip(ext, ext.length - 3), 'X-Project-Id': 'alpha' } }),
    401, 'invalid_token');
  refusal(rs, await rs.get('/api/v1/analytics/stats', { headers: { 'X-API-Key': bob.token, 'X-Project-Id': 'alpha' } }),
    403, 'forbidden');
  // Authorization wins over X-API-Key
  refusal(rs, await rs.get('/api/v1/analytics/stats', { headers: { ...bearer(forged), 'X-API-Key': alice.token, 'X-Project-Id': 'alpha' } }),
    401, 'invalid_token');
});

test('an API key on GET /api/v1/me (and the control plane): 403', async () => {
  for (const key of [alice.keys.secret.key, alice.keys.ingest.key]) {
    refusal(rs, await rs.get('/api/v1/me', { key }), 403, 'forbidden');
    refusal(rs, await rs.get('/api/v1/projects', { key }), 403, 'forbidden');
    refusal(rs, await rs.get('/api/v1/projects/alpha/keys', { key }), 403, 'forbidden');
  }
});

test('no credential: 401 with WWW-Authenticate', async () => {
  for (const [method, p] of [['GET', '/api/v1/me'], ['GET', '/api/v1/analytics/stats?project=alpha'],
    ['GET', '/api/v1/projects'], ['GET', '/api/v1/projects/alpha/keys']]) {
    const res = await rs.request(method, p, { headers: { 'X-Project-Id': 'alpha' } });
    refusal(rs, res, 401, 'missing_credentials');
    assert.match(res.headers['www-authenticate'] || '', /^Bearer realm="tally"/);
  }
  const empty = await rs.get('/api/v1/me', { headers: { Authorization: 'Bearer ' } });
  refusal(rs, empty, 401);
});

// ---- logs ----

test('tokens and secrets never appear in the logs', async () => {
  assert.ok(sent.size > 50, `many tokens were sent (${sent.size})`);
  for (const s of [rs, es, hs]) {
    const text = s.logText();
    assert.ok(text.length > 0, 'the stack wrote logs');
    const worker = fs.readFileSync(path.join(s.varDir, 'log', 'worker.log'), 'utf8');
    assert.ok(worker.includes('request_id'), 'the worker log has request lines');
    for (const tok of sent) {
      if (tok.length < 16) continue; // '.', '..': found anywhere
      assert.ok(!text.includes(tok), `a token was found in the logs: ${tok.slice(0, 16)}…`);
      const sig = tok.split('.')[2];
      if (sig && sig.length >= 16) assert.ok(!text.includes(sig), `a token's signature was found in the logs: ${sig.slice(0, 8)}…`);
    }
    for (const v of Object.values(secret)) assert.ok(!text.includes(v), 'a JWT secret was found in the logs');
  }
});
