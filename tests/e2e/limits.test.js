// SPEC §4.3 limits and strict JSON: message size, batch count, body size
// (nginx 413 in the JSON error shape), nesting depth, UTF-8, \u0000, numbers,
// timestamps and name lengths. Each refused request must store nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, expectStatus, expectError, uid } from './lib/stack.js';

let stack;
let t;

before(async () => {
  stack = await startStack();
  t = await stack.tenant('limits');
});

after(async () => {
  if (stack) await stack.stop();
});

async function count(query) {
  return (await stack.allEvents(t.secret, query)).length;
}

/** POSTs raw bytes as application/json. */
function raw(body, urlPath = '/api/v1/events') {
  return stack.request('POST', urlPath, { key: t.ingest, body, headers: { 'Content-Type': 'application/json' } });
}

// ---- message size ----

test('a message just under 32 KiB is accepted, one over it is refused', async () => {
  const ok = uid('big');
  const res = await stack.post('/api/v1/events', { messageId: ok, event: 'big', userId: 'big',
    properties: { blob: 'x'.repeat(31 * 1024) } }, { key: t.ingest });
  expectStatus(stack, res, 202);
  const bad = uid('big');
  const res2 = await stack.post('/api/v1/events', [
    { messageId: uid('big'), event: 'big', userId: 'big' },
    { messageId: bad, event: 'big', userId: 'big', properties: { blob: 'x'.repeat(32 * 1024 + 10) } },
  ], { key: t.ingest });
  const body = expectError(stack, res2, 400, 'validation_failed');
  assert.equal(body.details.length, 1);
  assert.equal(body.details[0].index, 1);
  assert.equal(await count('event=big'), 1);
});

test('a message over 32 KiB in its context or traits is refused too', async () => {
  for (const field of ['context', 'traits']) {
    const res = await stack.post('/api/v1/events', { messageId: uid('bigf'), type: 'identify', userId: 'big-f',
      [field]: { blob: 'y'.repeat(33 * 1024) } }, { key: t.ingest });
    expectError(stack, res, 400, 'validation_failed');
  }
  expectStatus(stack, await stack.get('/api/v1/users/big-f', { key: t.secret }), 404);
});

test('on a Segment batch an oversize message is rejected, the others stored', async () => {
  const res = await stack.post('/v1/batch', { batch: [
    { type: 'track', messageId: uid('sbig'), event: 'sbig', userId: 'big' },
    { type: 'track', messageId: uid('sbig'), event: 'sbig', userId: 'big', properties: { blob: 'z'.repeat(40 * 1024) } },
  ] }, { key: t.ingest });
  expectStatus(stack, res, 200);
  assert.deepEqual(res.body.rejected.map((r) => r.index), [1]);
  assert.equal(await count('event=sbig'), 1);
});

// ---- batch count ----

test('a batch of 2,500 messages is accepted', async () => {
  const events = Array.from({ length: 2500 }, (_, i) => ({ messageId: `b2500-${i}`, event: 'b2500', userId: `u${i % 50}` }));
  const res = await stack.post('/api/v1/events', { events }, { key: t.ingest });
  expectStatus(stack, res, 202);
  assert.equal(res.body.accepted, 2500);
  assert.equal(await count('event=b2500'), 2500);
});

test('a batch of 2,501 messages is refused and nothing is stored', async () => {
  const events = Array.from({ length: 2501 }, (_, i) => ({ messageId: `b2501-${i}`, event: 'b2501', userId: 'u' }));
  expectError(stack, await stack.post('/api/v1/events', { events }, { key: t.ingest }), 400, 'validation_failed');
  expectError(stack, await stack.post('/api/v1/events', events, { key: t.ingest }), 400, 'validation_failed');
  const seg = await stack.post('/v1/batch', { batch: events.map((e) => ({ type: 'track', ...e })) }, { key: t.ingest });
  expectError(stack, seg, 400);
  assert.equal(await count('event=b2501'), 0);
});

// ---- body size (nginx) ----

test('a body over 1 MiB is 413 in the JSON error shape with the request id', async () => {
  for (const p of ['/api/v1/events', '/v1/batch', '/api/v1/batch']) {
    const id = uid('huge');
    const events = [];
    for (let i = 0; i < 40; i++) events.push({ messageId: `${id}-${i}`, event: 'huge', userId: 'u', properties: { pad: 'p'.repeat(30000) } });
    const body = JSON.stringify(p === '/api/v1/events' ? { events } : { batch: events });
    assert.ok(body.length > 1024 * 1024);
    const res = await stack.request('POST', p, { key: t.ingest, body, headers: { 'Content-Type': 'application/json' } });
    const b = expectError(stack, res, 413);
    assert.equal(b.status, 413);
    assert.match(res.headers['x-request-id'], /^[0-9a-f]{16,}$/);
  }
  assert.equal(await count('event=huge'), 0);
});

test('a body just under 1 MiB passes nginx', async () => {
  const events = [];
  for (let i = 0; i < 33; i++) events.push({ messageId: uid('almost'), event: 'almost', userId: 'u', properties: { pad: 'q'.repeat(30000) } });
  const body = JSON.stringify({ events });
  assert.ok(body.length < 1024 * 1024 && body.length > 990000);
  const res = await stack.request('POST', '/api/v1/events', { key: t.ingest, body, headers: { 'Content-Type': 'application/json' } });
  expectStatus(stack, res, 202);
  assert.equal(res.body.accepted, 33);
});

// ---- nesting depth ----

/** A message whose whole document nests exactly `depth` containers. */
function nested(depth, event) {
  let inner = { leaf: 1 };
  for (let d = 0; d < depth - 2; d++) inner = { n: inner };   // depth - 1 levels under properties
  return JSON.stringify({ event, userId: 'deep', properties: inner });
}

function jsonDepth(text) {
  let d = 0;
  let max = 0;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) { if (c === '\\') i++; else if (c === '"') inStr = false; continue; }
    if (c === '"') inStr = true;
    else if (c === '{' || c === '[') max = Math.max(max, ++d);
    else if (c === '}' || c === ']') d--;
  }
  return max;
}

test('JSON nesting 32 deep is accepted, 33 is refused', async () => {
  const ok = nested(32, 'deep32');
  assert.equal(jsonDepth(ok), 32);
  expectStatus(stack, await raw(ok), 202);
  const bad = nested(33, 'deep33');
  assert.equal(jsonDepth(bad), 33);
  expectError(stack, await raw(bad), 400, 'invalid_json');
  // arrays count as well
  const arr = `{"event":"deep33a","userId":"deep","properties":{"a":${'['.repeat(31)}1${']'.repeat(31)}}}`;
  assert.equal(jsonDepth(arr), 33);
  expectError(stack, await raw(arr), 400, 'invalid_json');
  // a very deep document does not hurt the worker
  const abyss = `${'['.repeat(100000)}${']'.repeat(100000)}`;
  expectError(stack, await raw(abyss), 400, 'invalid_json');
  assert.equal(await count('event=deep32'), 1);
  assert.equal(await count('event=deep33'), 0);
  assert.equal(await count('event=deep33a'), 0);
});

// ---- strict JSON ----

test('invalid UTF-8 bytes in a string are 400 invalid_json', async () => {
  const bad = {
    'lone continuation byte': [0x80],
    'byte 0xFF': [0xff],
    'truncated 3-byte sequence': [0xe2, 0x82],
    'overlong "/" (C0 AF)': [0xc0, 0xaf],
    'overlong NUL (C0 80)': [0xc0, 0x80],
    'overlong 3-byte (E0 80 AF)': [0xe0, 0x80, 0xaf],
    'UTF-16 surrogate D800 (ED A0 80)': [0xed, 0xa0, 0x80],
    'beyond U+10FFFF (F4 90 80 80)': [0xf4, 0x90, 0x80, 0x80],
    '5-byte form (F8 88 80 80 80)': [0xf8, 0x88, 0x80, 0x80, 0x80],
  };
  const failures = [];
  for (const [what, bytes] of Object.entries(bad)) {
    const ev = `utf8_${what.replace(/\W+/g, '_')}`;
    for (const where of ['value', 'key']) {
      const head = Buffer.from(where === 'value'
        ? `{"event":"${ev}","userId":"utf","properties":{"s":"a`
        : `{"event":"${ev}","userId":"utf","properties":{"a`);
      const tail = Buffer.from(where === 'value' ? 'b"}}' : 'b":1}}');
      const res = await raw(Buffer.concat([head, Buffer.from(bytes), tail]));
      if (res.status !== 400 || !res.body || res.body.error !== 'invalid_json') {
        failures.push(`${what} in a ${where}: ${res.status} ${res.text.trim()}`);
      }
    }
  }
  const stored = (await stack.allEvents(t.secret)).filter((e) => e.event.startsWith('utf8_')).map((e) => e.event);
  assert.deepEqual(failures, [], `invalid UTF-8 accepted:\n  ${failures.join('\n  ')}\nstored: ${stored.join(', ')}`);
});

test('valid multi-byte UTF-8 and escaped non-BMP characters are kept intact', async () => {
  const id = uid('utf');
  const text = 'héllo — 東京 🎉 \u{10FFFF}';
  expectStatus(stack, await stack.post('/api/v1/events', { messageId: id, event: 'utf_ok', userId: 'utf',
    properties: { text } }, { key: t.ingest }), 202);
  const escaped = uid('utf');
  expectStatus(stack, await raw(`{"messageId":"${escaped}","event":"utf_ok","userId":"utf","properties":{"text":"\\ud83c\\udf89"}}`), 202);
  const rows = await stack.allEvents(t.secret, 'event=utf_ok');
  const byId = Object.fromEntries(rows.map((r) => [r.messageId, r]));
  assert.equal(byId[id].properties.text, text);
  assert.equal(byId[escaped].properties.text, '🎉');
});

test('\\u0000 in any string is 400 invalid_json', async () => {
  for (const body of [
    '{"event":"nul\\u0000","userId":"nul"}',
    '{"event":"nul","userId":"nul","properties":{"k":"a\\u0000b"}}',
    '{"event":"nul","userId":"nul","properties":{"k\\u0000":"v"}}',
    '[{"event":"nul","userId":"nul"},{"event":"nul","userId":"\\u0000"}]',
  ]) {
    expectError(stack, await raw(body), 400, 'invalid_json');
  }
  expectError(stack, await raw('{"batch":[{"type":"track","event":"nul","userId":"a\\u0000"}]}', '/v1/batch'), 400, 'invalid_json');
  // an escaped backslash followed by "u0000" is ordinary text
  expectStatus(stack, await raw('{"event":"nul_text","userId":"nul","properties":{"k":"\\\\u0000"}}'), 202);
  assert.equal(await count('event=nul'), 0);
  const ok = await stack.allEvents(t.secret, 'event=nul_text');
  assert.equal(ok[0].properties.k, '\\u0000');
});

test('NaN, Infinity, single quotes, comments and trailing commas are 400 invalid_json', async () => {
  const bodies = [
    '{"event":"lax","userId":"lax","properties":{"n":NaN}}',
    '{"event":"lax","userId":"lax","properties":{"n":Infinity}}',
    '{"event":"lax","userId":"lax","properties":{"n":-Infinity}}',
    "{'event':'lax','userId':'lax'}",
    '{"event":\'lax\',"userId":"lax"}',
    '{"event":"lax","userId":"lax"} // comment',
    '{"event":"lax",/* c */"userId":"lax"}',
    '{"event":"lax","userId":"lax",}',
    '[{"event":"lax","userId":"lax"},]',
    '{"event":"lax","userId":"lax"} {"event":"lax","userId":"lax"}',
    '{"event":"lax","userId":"lax","properties":{"n":0x10}}',
    '{"event":"lax","userId":"lax","properties":{"n":01}}',
    '{"event":"lax","userId":"lax","properties":{"n":+1}}',
    '{"event":"lax","userId":"lax","properties":{"n":.5}}',
    '',
  ];
  const failures = [];
  for (const body of bodies) {
    const res = await raw(body);
    if (res.status !== 400 || !res.body || res.body.error !== 'invalid_json') failures.push(`${JSON.stringify(body)} -> ${res.status} ${res.text.trim()}`);
    else expectError(stack, res, 400, 'invalid_json');
  }
  assert.deepEqual(failures, []);
  assert.equal(await count('event=lax'), 0);
});

test('unescaped control characters (U+0000..U+001F) inside strings are 400 invalid_json', async () => {
  const failures = [];
  for (const byte of [0x00, 0x01, 0x09, 0x0a, 0x0d, 0x1f]) {
    const body = Buffer.concat([Buffer.from('{"event":"ctl","userId":"ctl","properties":{"s":"a'), Buffer.from([byte]),
      Buffer.from('b"}}')]);
    const res = await raw(body);
    if (res.status !== 400 || !res.body || res.body.error !== 'invalid_json') {
      failures.push(`raw byte 0x${byte.toString(16).padStart(2, '0')} in a string -> ${res.status} ${res.text.trim()}`);
    }
  }
  // the same characters escaped are fine
  expectStatus(stack, await raw('{"event":"ctl_ok","userId":"ctl","properties":{"s":"a\\t\\n\\u001fb"}}'), 202);
  const stored = await count('event=ctl');
  assert.deepEqual(failures, [], `unescaped control characters accepted (${stored} stored):\n  ${failures.join('\n  ')}`);
});

test('strings that merely contain NaN or Infinity are fine', async () => {
  expectStatus(stack, await raw('{"event":"NaN Infinity","userId":"lax","properties":{"Infinity":"NaN"}}'), 202);
});

test('integers beyond int64 and numbers beyond double are 400 invalid_json', async () => {
  for (const n of ['9223372036854775808', '-9223372036854775809', '99999999999999999999999', '1e400', '-1e400', '1E400']) {
    const res = await raw(`{"event":"num","userId":"num","properties":{"n":${n}}}`);
    expectError(stack, res, 400, 'invalid_json');
  }
  // the extremes that fit
  const id = uid('num');
  expectStatus(stack, await raw(`{"messageId":"${id}","event":"num_ok","userId":"num","properties":{"max":9223372036854775807,"min":-9223372036854775808,"d":1.7976931348623157e308}}`), 202);
  assert.equal(await count('event=num'), 0);
  const [e] = await stack.allEvents(t.secret, 'event=num_ok');
  assert.equal(e.properties.d, 1.7976931348623157e308);
  // JSON.parse rounds int64 extremes; compare the raw text
  const res = await stack.get('/api/v1/events?event=num_ok', { key: t.secret });
  assert.match(res.text, /"max":\s*9223372036854775807/);
  assert.match(res.text, /"min":\s*-9223372036854775808/);
});

// ---- timestamps ----

test('timestamps before 2000-01-01 or more than a day ahead are refused', async () => {
  const now = Date.now();
  const bad = [
    { timestamp: '1999-12-31T23:59:59.999Z' },
    { timestamp: Date.UTC(1999, 11, 31, 23, 59, 59, 999) },
    { ts: '1970-01-01T00:00:00Z' },
    { timestamp: 0 },
    { timestamp: new Date(now + 25 * 3600 * 1000).toISOString() },
    { timestamp: now + 2 * 86400 * 1000 },
    { timestamp: '3000-01-01T00:00:00Z' },
    { timestamp: 'not a time' },
    { timestamp: '2024-13-01T00:00:00Z' },
    { timestamp: true },
  ];
  for (const extra of bad) {
    const res = await stack.post('/api/v1/events', { event: 'ts_bad', userId: 'ts', ...extra }, { key: t.ingest });
    const body = expectError(stack, res, 400, 'validation_failed');
    assert.equal(body.details[0].index, 0);
    assert.match(body.details[0].field, /^(timestamp|ts)$/, JSON.stringify(body.details));
  }
  assert.equal(await count('event=ts_bad'), 0);
});

test('timestamps at 2000-01-01 and 23 hours ahead are accepted', async () => {
  const now = Date.now();
  const ids = [uid('ts'), uid('ts')];
  const res = await stack.post('/api/v1/events', [
    { messageId: ids[0], event: 'ts_ok', userId: 'ts', timestamp: '2000-01-01T00:00:00.000Z' },
    { messageId: ids[1], event: 'ts_ok', userId: 'ts', timestamp: now + 23 * 3600 * 1000 },
  ], { key: t.ingest });
  expectStatus(stack, res, 202);
  const rows = await stack.allEvents(t.secret, 'event=ts_ok');
  const byId = Object.fromEntries(rows.map((r) => [r.messageId, r]));
  assert.equal(byId[ids[0]].timestamp, '2000-01-01T00:00:00.000Z');
  assert.equal(Date.parse(byId[ids[1]].timestamp), now + 23 * 3600 * 1000);
});

// ---- field lengths ----

test('names over 200 characters and messageIds over 100 are refused', async () => {
  const cases = [
    [{ event: 'e'.repeat(201), userId: 'len' }, 'event'],
    [{ event: 'len', userId: 'len', messageId: 'm'.repeat(101) }, 'messageId'],
    [{ event: 'len', userId: 'u'.repeat(5000) }, 'userId'],
  ];
  for (const [m, field] of cases) {
    const body = expectError(stack, await stack.post('/api/v1/events', m, { key: t.ingest }), 400, 'validation_failed');
    assert.equal(body.details[0].field, field);
  }
  const okName = 'é'.repeat(200);
  expectStatus(stack, await stack.post('/api/v1/events', { event: okName, userId: 'len', messageId: 'm'.repeat(100) }, { key: t.ingest }), 202);
  assert.equal(await count('userId=len'), 1);
});
