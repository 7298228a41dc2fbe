// SPEC §2, §3, §6, §7: signing up and logging in. Input validation, the
// password policy, signup = off, the same answer for an unknown email and a
// wrong password (in body and in time), and the brute-force backoff per
// email and per client address (app/auth/login_guard.c).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startStack, expectStatus, expectError, uid } from './lib/stack.js';

const PASSWORD = 'correct horse battery';

/*
 * The stacks this file needs, each started on first use: the default
 * limits; signup off; a low per-address limit; one limit at a time for the
 * parallel bursts; and limits so high that the timing test never locks.
 */
const SETTINGS = {
  main: {},
  signupOff: { TALLY_SIGNUP: 'off' },
  perIp: { TALLY_LOGIN_MAX_FAILURES_PER_IP: '8' },
  burstEmail: { TALLY_LOGIN_MAX_FAILURES_PER_IP: '1000000' },
  burstIp: { TALLY_LOGIN_MAX_FAILURES: '1000000', TALLY_LOGIN_MAX_FAILURES_PER_IP: '8' },
  timing: { TALLY_LOGIN_MAX_FAILURES: '1000000', TALLY_LOGIN_MAX_FAILURES_PER_IP: '1000000' },
  accountWide: { TALLY_LOGIN_MAX_FAILURES: '1' },
};

/** An agent whose connections leave from another loopback address (nginx sees it as the client). */
function from(address) {
  return new http.Agent({ localAddress: address });
}
const started = {};

function stackFor(name) {
  if (!started[name]) started[name] = startStack({ env: SETTINGS[name] });
  return started[name];
}

after(async () => {
  for (const p of Object.values(started)) {
    const s = await p.catch(() => null);
    if (s) await s.stop();
  }
});

function signup(stack, json) {
  return stack.post('/api/v1/auth/signup', json);
}

function login(stack, email, password, opts = {}) {
  return stack.post('/api/v1/auth/login', { email, password }, opts);
}

async function account(stack, email, password = PASSWORD) {
  const res = await signup(stack, { email, password, project_name: `${email} project` });
  expectStatus(stack, res, 201);
  return res.body;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* ------------------------------------------------------------------ signup */

test('signup: account, first project, both keys once and a working token', async () => {
  const stack = await stackFor('main');
  const res = await signup(stack, { email: 'Ada.Lovelace@Example.COM', password: PASSWORD, project_name: 'Analytical Engine' });
  expectStatus(stack, res, 201);
  const b = res.body;
  assert.equal(b.account.email, 'ada.lovelace@example.com', 'the email is kept in lower case');
  assert.ok(Number.isInteger(b.account.id) && b.account.id > 0);
  assert.equal(b.project.slug, 'analytical-engine');
  assert.equal(b.project.name, 'Analytical Engine');
  assert.equal(b.project.role, 'owner');
  assert.match(b.keys.ingest.key, /^tk_pub_/);
  assert.match(b.keys.secret.key, /^tk_sec_/);
  assert.equal(b.keys.ingest.kind, 'ingest');
  assert.equal(b.keys.secret.kind, 'secret');
  assert.ok(!res.text.includes(PASSWORD), 'the answer carries the password');
  assert.ok(!JSON.stringify(b.account).includes('$y$'), 'the answer carries the hash');
  const me = await stack.get('/api/v1/me', { key: b.token });
  expectStatus(stack, me, 200);
  assert.equal(me.body.account.email, 'ada.lovelace@example.com');
  assert.deepEqual(me.body.projects.map((p) => [p.slug, p.role]), [['analytical-engine', 'owner']]);
  // the keys work at once
  expectStatus(stack, await stack.post('/api/v1/track', { event: 'hello', userId: 'u1' }, { key: b.keys.ingest.key }), 200);
  expectStatus(stack, await stack.get('/api/v1/events?limit=1', { key: b.keys.secret.key }), 200);
  // without project_name the project gets a default name
  const noName = await signup(stack, { email: 'nameless@example.com', password: PASSWORD });
  expectStatus(stack, noName, 201);
  assert.ok(noName.body.project.name.length > 0);
  assert.match(noName.body.project.slug, /^[a-z0-9][a-z0-9-]*$/);
  // a second account naming the same project gets its own slug
  const twin = await signup(stack, { email: 'twin@example.com', password: PASSWORD, project_name: 'Analytical Engine' });
  expectStatus(stack, twin, 201);
  assert.notEqual(twin.body.project.slug, 'analytical-engine');
});

test('signup: a taken email, also in other case, is 409 email_taken and changes nothing', async () => {
  const stack = await stackFor('main');
  await account(stack, 'dup@example.com');
  for (const email of ['dup@example.com', 'DUP@example.com', 'Dup@Example.Com']) {
    const res = await signup(stack, { email, password: 'another password', project_name: 'Dup Again' });
    expectError(stack, res, 409, 'email_taken');
  }
  // the first password still works, the second was never set
  expectStatus(stack, await login(stack, 'dup@example.com', PASSWORD), 200);
  expectError(stack, await login(stack, 'dup@example.com', 'another password'), 401, 'invalid_credentials');
  const { stdout } = await stack.ctl('project', 'list');
  assert.ok(!/dup-again/.test(stdout), 'a refused signup made a project');
});

test('signup: parallel signups of one email make one account', async () => {
  const stack = await stackFor('main');
  const res = await Promise.all(['race@example.com', 'RACE@example.com', 'Race@Example.com', 'race@example.com']
    .map((email, i) => signup(stack, { email, password: `${PASSWORD} ${i}`, project_name: `race ${i}` })));
  const made = res.filter((r) => r.status === 201);
  assert.equal(made.length, 1, res.map((r) => r.status).join(','));
  for (const r of res.filter((x) => x.status !== 201)) expectError(stack, r, 409, 'email_taken');
  const i = res.indexOf(made[0]);
  expectStatus(stack, await login(stack, 'race@example.com', `${PASSWORD} ${i}`), 200);
});

test('signup: the password policy (10 characters to 256 bytes) is 400 validation_failed on password', async () => {
  const stack = await stackFor('main');
  const bad = [
    'x'.repeat(9),                 // one short
    'é'.repeat(9),                 // 18 bytes, but 9 characters
    '',
    'x'.repeat(257),               // one byte over
    'é'.repeat(129),               // 258 bytes
  ];
  for (const password of bad) {
    const email = `${uid('weak')}@example.com`;
    const res = await signup(stack, { email, password, project_name: 'weak' });
    const b = expectError(stack, res, 400, 'validation_failed');
    assert.equal(b.details[0].field, 'password', `password of ${Buffer.byteLength(password)} bytes`);
    // nothing was made: the email is still free
    expectError(stack, await login(stack, email, password), 401, 'invalid_credentials');
  }
  // an embedded NUL never reaches the policy: the JSON parser refuses \u0000
  const nul = await signup(stack, { email: 'nul@example.com', password: 'abcdefghij\u0000klm' });
  expectError(stack, nul, 400, 'invalid_json');
  expectError(stack, await login(stack, 'nul@example.com', 'abcdefghij'), 401, 'invalid_credentials');
  for (const password of ['x'.repeat(10), 'é'.repeat(10), 'y'.repeat(256), 'ü'.repeat(128)]) {
    const email = `${uid('ok')}@example.com`;
    expectStatus(stack, await signup(stack, { email, password }), 201);
    expectStatus(stack, await login(stack, email, password), 200);
  }
});

test('signup: missing, non-string, unknown fields and bad emails are 400 validation_failed', async () => {
  const stack = await stackFor('main');
  const email = 'valid@example.com';
  const cases = [
    [{ password: PASSWORD }, 'email'],
    [{ email }, 'password'],
    [{ email: 42, password: PASSWORD }, 'email'],
    [{ email: null, password: PASSWORD }, 'email'],
    [{ email: [email], password: PASSWORD }, 'email'],
    [{ email, password: 12345678901 }, 'password'],
    [{ email, password: null }, 'password'],
    [{ email, password: { p: PASSWORD } }, 'password'],
    [{ email, password: PASSWORD, project_name: 7 }, 'project_name'],
    [{ email, password: PASSWORD, project_name: '' }, 'project_name'],
    [{ email, password: PASSWORD, role: 'owner' }, 'role'],
    [{ email, password: PASSWORD, project_name: 'x', admin: true }, 'admin'],
    [{ email: 'no-at-sign', password: PASSWORD }, 'email'],
    [{ email: '@example.com', password: PASSWORD }, 'email'],
    [{ email: 'a@b', password: PASSWORD }, 'email'],
    [{ email: 'a@@b.example', password: PASSWORD }, 'email'],
    [{ email: 'a b@example.com', password: PASSWORD }, 'email'],
    [{ email: 'a@example.', password: PASSWORD }, 'email'],
    [{ email: '', password: PASSWORD }, 'email'],
    [{ email: `${'a'.repeat(300)}@example.com`, password: PASSWORD }, 'email'],
  ];
  for (const [json, field] of cases) {
    const b = expectError(stack, await signup(stack, json), 400, 'validation_failed');
    assert.equal(b.details[0].field, field, JSON.stringify(json).slice(0, 120));
  }
  expectError(stack, await signup(stack, [email, PASSWORD]), 400, 'validation_failed');
  expectError(stack, await signup(stack, 'text'), 400, 'validation_failed');
  const broken = await stack.request('POST', '/api/v1/auth/signup',
    { body: '{"email":', headers: { 'Content-Type': 'application/json' } });
  expectError(stack, broken, 400, 'invalid_json');
  // none of these made the account
  expectError(stack, await login(stack, email, PASSWORD), 401, 'invalid_credentials');
});

test('signup = off: signup is 403 signup_disabled; login answers as usual', async () => {
  const stack = await stackFor('signupOff');
  for (const json of [{ email: 'new@example.com', password: PASSWORD, project_name: 'New' }, {}]) {
    expectError(stack, await signup(stack, json), 403, 'signup_disabled');
  }
  expectError(stack, await login(stack, 'new@example.com', PASSWORD), 401, 'invalid_credentials');
  // the server is otherwise up, and makes no account behind the refusal
  expectStatus(stack, await stack.get('/api/health'), 200);
  const { stdout } = await stack.ctl('project', 'list');
  assert.ok(!/new/.test(stdout), stdout);
});

/* ------------------------------------------------------------------ login */

test('login: a token that works on /me, and the email is case-insensitive', async () => {
  const stack = await stackFor('main');
  const made = await account(stack, 'grace@example.com');
  for (const email of ['grace@example.com', 'GRACE@EXAMPLE.COM', 'Grace@Example.com']) {
    const t0 = Date.now();
    const res = await login(stack, email, PASSWORD);
    expectStatus(stack, res, 200);
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.token.split('.').length, 3);
    assert.equal(res.body.account.id, made.account.id);
    assert.equal(res.body.account.email, 'grace@example.com');
    const ttl = Date.parse(res.body.expires_at) - t0;
    assert.ok(ttl > 11 * 3600e3 && ttl <= 12 * 3600e3 + 5000, `expires_at ${res.body.expires_at}`);
    assert.ok(!res.text.includes(PASSWORD));
    const me = await stack.get('/api/v1/me', { key: res.body.token });
    expectStatus(stack, me, 200);
    assert.equal(me.body.account.id, made.account.id);
    assert.equal(me.body.projects[0].slug, made.project.slug);
  }
  // the password is not: one other character is a wrong password
  expectError(stack, await login(stack, 'grace@example.com', PASSWORD.toUpperCase()), 401, 'invalid_credentials');
  // a mangled token is refused
  const good = (await login(stack, 'grace@example.com', PASSWORD)).body.token;
  const [h, p, s] = good.split('.');
  const flip = s[0] === 'A' ? 'B' : 'A';
  expectError(stack, await stack.get('/api/v1/me', { key: `${h}.${p}.${flip}${s.slice(1)}` }), 401, 'invalid_token');
  expectError(stack, await stack.get('/api/v1/me', { key: `${h}.${p}.` }), 401);
});

test('login: a wrong password and an unknown email get the same 401 invalid_credentials', async () => {
  const stack = await stackFor('main');
  await account(stack, 'hopper@example.com');
  const answers = [];
  for (const [email, password] of [
    ['hopper@example.com', 'wrong password 1'],
    ['nobody@example.com', PASSWORD],
    ['nobody@example.com', 'wrong password 1'],
    ['not-an-email', PASSWORD],
    ['hopper@example.com', 'short'],
    ['hopper@example.com', 'x'.repeat(300)],
  ]) {
    const res = await login(stack, email, password);
    const b = expectError(stack, res, 401, 'invalid_credentials');
    answers.push(JSON.stringify({ error: b.error, message: b.message, details: b.details,
      auth: res.headers['www-authenticate'] || null }));
  }
  assert.equal(new Set(answers).size, 1, `the answers differ:\n${answers.join('\n')}`);
  expectStatus(stack, await login(stack, 'hopper@example.com', PASSWORD), 200);
});

test('login: missing, non-string and unknown fields are 400 validation_failed', async () => {
  const stack = await stackFor('main');
  const cases = [
    [{ password: PASSWORD }, 'email'],
    [{ email: 'grace@example.com' }, 'password'],
    [{ email: 1, password: PASSWORD }, 'email'],
    [{ email: 'grace@example.com', password: 1234567890 }, 'password'],
    [{ email: 'grace@example.com', password: null }, 'password'],
    [{ email: 'grace@example.com', password: PASSWORD, remember: true }, 'remember'],
  ];
  for (const [json, field] of cases) {
    const b = expectError(stack, await stack.post('/api/v1/auth/login', json), 400, 'validation_failed');
    assert.equal(b.details[0].field, field, JSON.stringify(json));
  }
  expectError(stack, await stack.post('/api/v1/auth/login', ['grace@example.com', PASSWORD]), 400, 'validation_failed');
});

/* ------------------------------------------------------------ brute force */

function retryAfter(res) {
  const v = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(v) && v >= 1, `Retry-After ${res.headers['retry-after']}`);
  return v;
}

test('brute force: after 5 free failures each failure doubles a wait; the right password waits too', async () => {
  const stack = await stackFor('main');
  const email = 'target@example.com';
  await account(stack, email);
  for (let i = 1; i <= 5; i++) {
    expectError(stack, await login(stack, email, `wrong password ${i}`), 401, 'invalid_credentials');
  }
  // the sixth failure is still answered, and starts a 1 s wait
  expectError(stack, await login(stack, email, 'wrong password 6'), 401, 'invalid_credentials');
  let res = await login(stack, email, PASSWORD);
  expectError(stack, res, 429, 'too_many_attempts');
  assert.equal(retryAfter(res), 1);
  // wrong or right, in any case of the email: refused while the wait lasts
  expectError(stack, await login(stack, email, 'wrong password 7'), 429, 'too_many_attempts');
  expectError(stack, await login(stack, email.toUpperCase(), PASSWORD), 429, 'too_many_attempts');
  // another account from the same address is not held up
  const other = await account(stack, 'bystander@example.com');
  expectStatus(stack, await login(stack, other.account.email, PASSWORD), 200);

  await sleep(retryAfter(res) * 1000 + 150);
  // one more failure: the wait doubles to 2 s
  expectError(stack, await login(stack, email, 'wrong password 8'), 401, 'invalid_credentials');
  res = await login(stack, email, PASSWORD);
  expectError(stack, res, 429, 'too_many_attempts');
  assert.equal(retryAfter(res), 2);
  await sleep(retryAfter(res) * 1000 + 150);

  // after the wait the right password works, and the count starts over
  res = await login(stack, email, PASSWORD);
  expectStatus(stack, res, 200);
  expectStatus(stack, await stack.get('/api/v1/me', { key: res.body.token }), 200);
  for (let i = 1; i <= 6; i++) {
    expectError(stack, await login(stack, email, `again wrong ${i}`), 401, 'invalid_credentials');
  }
  res = await login(stack, email, PASSWORD);
  expectError(stack, res, 429, 'too_many_attempts');
  assert.equal(retryAfter(res), 1, 'the count did not start over after the good login');
});

test('brute force: many unknown emails from one address are held up per address', async () => {
  const stack = await stackFor('perIp');
  const real = await account(stack, 'real@example.com');
  // 8 failures from 127.0.0.1 are free, the 9th starts the wait
  for (let i = 1; i <= 9; i++) {
    expectError(stack, await login(stack, `guess-${i}@example.com`, PASSWORD), 401, 'invalid_credentials');
  }
  let res = await login(stack, 'guess-10@example.com', PASSWORD);
  expectError(stack, res, 429, 'too_many_attempts');
  const wait = retryAfter(res);
  assert.ok(wait <= 2, `Retry-After ${wait}`);
  // the address is held up, whoever it logs in as
  res = await login(stack, real.account.email, PASSWORD);
  expectError(stack, res, 429, 'too_many_attempts');
  await sleep(retryAfter(res) * 1000 + 150);
  res = await login(stack, real.account.email, PASSWORD);
  expectStatus(stack, res, 200);
});

/*
 * A burst of logins side by side: every one of them is checked before any
 * has failed, so a guard that counts a failure only after the hash lets
 * them all try a password.
 */
async function burst(stack, n, emailOf) {
  const res = await Promise.all(Array.from({ length: n },
    (_, i) => login(stack, emailOf(i), `burst guess ${i}`)));
  const tried = res.filter((r) => r.status === 401);
  const held = res.filter((r) => r.status === 429);
  for (const r of tried) expectError(stack, r, 401, 'invalid_credentials');
  for (const r of held) {
    expectError(stack, r, 429, 'too_many_attempts');
    retryAfter(r);
  }
  assert.equal(tried.length + held.length, n, 'every answer is 401 or 429');
  return tried.length;
}

test('brute force: failures from one address do not lock the account out for another', async () => {
  const stack = await stackFor('main');
  const email = `victim-${uid()}@example.com`;
  await account(stack, email);
  const attacker = from('127.0.0.2');
  for (let i = 0; i < 6; i++) expectError(stack, await login(stack, email, 'wrong-password!', { agent: attacker }), 401);
  const locked = await login(stack, email, PASSWORD, { agent: attacker });
  expectError(stack, locked, 429, 'too_many_attempts');
  // the owner, elsewhere, logs in with the right password at once
  const owner = await login(stack, email, PASSWORD, { agent: from('127.0.0.3') });
  expectStatus(stack, owner, 200);
  assert.ok(owner.body.token);
});

test('brute force: guesses spread over many addresses meet the account-wide brake', async () => {
  // one free failure per email and address, so ten account-wide
  const stack = await stackFor('accountWide');
  const email = `spread-${uid()}@example.com`;
  await account(stack, email);
  for (let i = 0; i < 11; i++) {
    expectError(stack, await login(stack, email, 'wrong-password!', { agent: from(`127.0.1.${i + 1}`) }), 401,
      'invalid_credentials');
  }
  const next = await login(stack, email, 'wrong-password!', { agent: from('127.0.1.100') });
  expectError(stack, next, 429, 'too_many_attempts');
  assert.ok(Number(next.headers['retry-after']) >= 1);
  // a refused try counts nowhere: once the wait is over, a fresh address gets its password checked
  await sleep(Number(next.headers['retry-after']) * 1000 + 200);
  expectStatus(stack, await login(stack, email, PASSWORD, { agent: from('127.0.1.101') }), 200);
});

test('brute force: a burst within the free failures is answered in full, never 429', async () => {
  const stack = await stackFor('burstEmail');
  for (let round = 0; round < 5; round++) {
    const email = `within-${round}@example.com`;
    await account(stack, email);
    // five at once: all are free failures, whatever order they land in
    const res = await Promise.all(Array.from({ length: 5 }, (_, i) => login(stack, email, `free guess ${i}`)));
    for (const r of res) expectError(stack, r, 401, 'invalid_credentials');
    expectStatus(stack, await login(stack, email, PASSWORD), 200);
  }
});

test('brute force: a burst of parallel guesses on one email tries no more passwords than the free ones', async (t) => {
  const stack = await stackFor('burstEmail');
  await account(stack, 'burst@example.com');
  const tried = await burst(stack, 24, () => 'burst@example.com');
  t.diagnostic(`${tried} of 24 parallel guesses were checked`);
  // 5 free failures and the 6th that starts the wait, as one after another
  assert.ok(tried >= 1 && tried <= 6, `${tried} of 24 parallel guesses had their password checked`);
  expectError(stack, await login(stack, 'burst@example.com', PASSWORD), 429, 'too_many_attempts');
});

test('brute force: a burst of parallel guesses from one address tries no more than its free failures', async () => {
  const stack = await stackFor('burstIp');
  const tried = await burst(stack, 24, (i) => `burst-${i}@example.com`);
  assert.ok(tried >= 1 && tried <= 9, `${tried} of 24 parallel guesses had their password checked`);
});

/* ----------------------------------------------------------------- timing */

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function timed(stack, email, password, agent) {
  const t0 = process.hrtime.bigint();
  const res = await login(stack, email, password, { agent });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  expectError(stack, res, 401, 'invalid_credentials');
  return ms;
}

/*
 * An unknown email must cost the yescrypt hash a wrong password costs
 * (password_verify's dummy_hash). A password over 256 bytes is refused
 * before any hash, for every email alike, so it is the yardstick of a
 * login that skips the hash: the test checks its tolerance would see one.
 */
test('timing: an unknown email takes as long as a wrong password (medians within 0.8-1.25)', async (t) => {
  const stack = await stackFor('timing');
  await account(stack, 'timed@example.com');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const tooLong = 'z'.repeat(300);
  try {
    for (let i = 0; i < 5; i++) {
      await timed(stack, 'timed@example.com', `warm wrong ${i}`, agent);
      await timed(stack, `warm-${i}@example.com`, PASSWORD, agent);
    }
    const wrongPassword = [];
    const unknownEmail = [];
    const noHash = [];
    for (let i = 0; i < 40; i++) {
      // interleaved, and the order within a round alternates
      const pair = [
        async () => wrongPassword.push(await timed(stack, 'timed@example.com', `wrong password ${i}`, agent)),
        async () => unknownEmail.push(await timed(stack, `nobody-${i}@example.com`, `wrong password ${i}`, agent)),
      ];
      if (i % 2) pair.reverse();
      for (const f of pair) await f();
      if (i % 4 === 0) noHash.push(await timed(stack, 'timed@example.com', tooLong, agent));
    }
    const mw = median(wrongPassword);
    const mu = median(unknownEmail);
    const mn = median(noHash);
    const ratio = mu / mw;
    t.diagnostic(`median wrong password ${mw.toFixed(2)} ms, unknown email ${mu.toFixed(2)} ms, ` +
      `ratio ${ratio.toFixed(3)}; no hash ${mn.toFixed(2)} ms`);
    // the yardstick first: if hashing is not clearly slower than skipping it,
    // this machine cannot tell the two apart and the ratio proves nothing
    assert.ok(mw - mn >= 5, `a hash costs ${(mw - mn).toFixed(2)} ms only: too little to compare`);
    assert.ok(mn / mw < 0.8, `a login without a hash would pass the tolerance (${(mn / mw).toFixed(3)})`);
    assert.ok(ratio >= 0.8 && ratio <= 1.25,
      `unknown email ${mu.toFixed(2)} ms vs wrong password ${mw.toFixed(2)} ms: ratio ${ratio.toFixed(3)}`);
  } finally {
    agent.destroy();
  }
});
