// Hostile input on the LLM write routes (SPEC §5.2, §5.4, §7 "Input", §8):
// OTLP/HTTP traces as JSON and as protobuf, the Pulse trace batch, LLM calls
// on /api/v1/events and votes. Each bad body is a 4xx in the §8 error shape
// (or, for OTLP, a 200 whose partialSuccess counts the spans refused one by
// one), stores nothing it refused, and no worker process dies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { startStack, expectStatus, expectError, explain, uid } from './lib/stack.js';

const OTLP = '/api/v1/otlp/v1/traces';
const JSON_CT = 'application/json';
const PB_CT = 'application/x-protobuf';
const MiB = 1024 * 1024;

let stack;
let t;
let workersBefore;

before(async () => {
  stack = await startStack({ workers: 2 });
  t = await stack.tenant('hostile');
  workersBefore = workers();
  assert.equal(workersBefore.length, 2, `two worker processes, found ${workersBefore}`);
});

after(async () => {
  if (stack) await stack.stop();
});

// ---- helpers ----

/** The worker processes under the pool parent: not its realtime publisher (named tally-publisher). */
function workers() {
  const parent = fs.readFileSync(path.join(stack.varDir, 'worker.pid'), 'utf8').trim();
  try {
    return execFileSync('pgrep', ['-P', parent, '-x', 'tally-worker'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean)
      .map(Number).sort();
  } catch {
    return [];
  }
}

const hex = (bytes) => crypto.randomBytes(bytes).toString('hex');
const nowNs = () => BigInt(Date.now()) * 1000000n;

/** A POST with a raw body (string or Buffer) and the given Content-Type. */
function post(urlPath, body, { ct = JSON_CT, enc, key = t.ingest } = {}) {
  const headers = {};
  if (ct !== undefined) headers['Content-Type'] = ct;
  if (enc !== undefined) headers['Content-Encoding'] = enc;
  return stack.request('POST', urlPath, { key, body, headers });
}

/** What the project holds: traces (id → span count), events, votes. */
async function snapshot(key = t.secret) {
  const traces = await stack.get('/api/v1/traces?limit=1000', { key });
  expectStatus(stack, traces, 200);
  const trust = await stack.get('/api/v1/analytics/trust-score', { key });
  expectStatus(stack, trust, 200);
  return {
    traces: traces.body.data.map((x) => `${x.traceId}:${x.spanCount}`).sort(),
    events: (await stack.allEvents(key)).length,
    votes: trust.body.data.votes,
  };
}

/** Runs fn and asserts the project's data did not change. */
async function storesNothing(fn) {
  const before = await snapshot();
  await fn();
  assert.deepEqual(await snapshot(), before, 'nothing was stored');
}

/** A refused request: the status, the §8 body, and optionally its code and message. */
function refused(res, status, code, message) {
  const b = expectError(stack, res, status, code);
  if (message) assert.match(b.message, message, explain(stack, res));
  return b;
}

// ---- OTLP/JSON builders ----

const attr = (key, value) => ({ key, value });
const str = (s) => ({ stringValue: s });
const int = (n) => ({ intValue: n });

function jsonSpan(over = {}) {
  const start = nowNs() - 5000000000n;
  return {
    traceId: hex(16),
    spanId: hex(8),
    name: 'hostile chat',
    kind: 3,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + 250000000n),
    attributes: [
      attr('gen_ai.provider.name', str('openai')),
      attr('gen_ai.request.model', str('gpt-4o-mini')),
      attr('gen_ai.usage.input_tokens', int('12')),
      attr('gen_ai.usage.output_tokens', int(7)),
    ],
    ...over,
  };
}

function jsonRequest(spans) {
  return {
    resourceSpans: [{
      resource: { attributes: [attr('service.name', str('hostile-svc'))] },
      scopeSpans: [{ scope: { name: 'hostile', version: '1' }, spans }],
    }],
  };
}

/** A span whose one token attribute has the given AnyValue. */
const tokenSpan = (value) => jsonSpan({
  attributes: [attr('gen_ai.request.model', str('gpt-4o')), attr('gen_ai.usage.input_tokens', value)] });

// ---- protobuf builders (protobuf.dev "Encoding"; opentelemetry-proto field numbers) ----

function varint(n) {
  let x = BigInt.asUintN(64, BigInt(n));
  const out = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x) b |= 0x80;
    out.push(b);
  } while (x);
  return Buffer.from(out);
}
const pbKey = (num, wt) => varint((BigInt(num) << 3n) | BigInt(wt));
const pbLen = (num, bytes) => Buffer.concat([pbKey(num, 2), varint(bytes.length), Buffer.from(bytes)]);
const pbStr = (num, s) => pbLen(num, Buffer.from(s, 'utf8'));
const pbVarint = (num, n) => Buffer.concat([pbKey(num, 0), varint(n)]);
function pbFixed64(num, n) {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(n)));
  return Buffer.concat([pbKey(num, 1), b]);
}

/** AnyValue (common.proto): string 1, int 3, array 5 {values 1}. */
const avStr = (s) => pbStr(1, s);
const avInt = (n) => pbVarint(3, n);
const avArray = (values) => pbLen(5, Buffer.concat(values.map((v) => pbLen(1, v))));
/** KeyValue: key 1, value 2. */
const pbKv = (key, anyValue) => Buffer.concat([pbStr(1, key), pbLen(2, anyValue)]);

/** Span (trace.proto): ids 1/2/4, name 5, times 7/8 (fixed64), attributes 9. */
function pbSpan({ traceId = hex(16), spanId = hex(8), parent, name = 'hostile pb', start, end, attrs } = {}) {
  const s = start ?? nowNs() - 5000000000n;
  const e = end ?? s + 125000000n;
  const kvs = attrs ?? [
    pbKv('gen_ai.provider.name', avStr('anthropic')),
    pbKv('gen_ai.request.model', avStr('claude-sonnet-4')),
    pbKv('gen_ai.usage.input_tokens', avInt(30)),
    pbKv('gen_ai.usage.output_tokens', avInt(5)),
  ];
  return Buffer.concat([
    pbLen(1, Buffer.from(traceId, 'hex')),
    pbLen(2, Buffer.from(spanId, 'hex')),
    parent ? pbLen(4, Buffer.from(parent, 'hex')) : Buffer.alloc(0),
    pbStr(5, name),
    pbFixed64(7, s),
    pbFixed64(8, e),
    ...kvs.map((kv) => pbLen(9, kv)),
  ]);
}

/** ExportTraceServiceRequest{resourceSpans 1 {resource 1, scopeSpans 2 {scope 1, spans 2}}}. */
function pbRequest(spans) {
  const resource = pbLen(1, pbLen(1, pbKv('service.name', avStr('hostile-pb'))));
  const scopeSpans = pbLen(2, Buffer.concat([pbLen(1, pbStr(1, 'hostile')), ...spans.map((s) => pbLen(2, s))]));
  return pbLen(1, Buffer.concat([resource, scopeSpans]));
}

/**
 * An AnyValue nested `depth` levels deep through arrayValue (depth 1: a
 * string), written inside out so that a deep one costs linear time.
 */
function deepAnyValue(depth) {
  const leaf = avStr('deep');
  const prefixes = [];
  let len = leaf.length;
  for (let k = 1; k < depth; k++) {
    const lenV = varint(len);
    const arrayLen = 1 + lenV.length + len;
    const pre = Buffer.concat([pbKey(5, 2), varint(arrayLen), pbKey(1, 2), lenV]);
    prefixes.push(pre);
    len += pre.length;
  }
  return Buffer.concat([...prefixes.reverse(), leaf]);
}

/** The top-level fields of a protobuf message: [{num, wt, value}] (a BigInt for varints, else bytes). */
function pbFields(buf) {
  const out = [];
  let i = 0;
  const readVarint = () => {
    let x = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= buf.length) throw new Error('truncated varint');
      const b = buf[i++];
      x |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (!(b & 0x80)) return x;
    }
  };
  while (i < buf.length) {
    const key = readVarint();
    const num = Number(key >> 3n);
    const wt = Number(key & 7n);
    if (wt === 0) out.push({ num, wt, value: readVarint() });
    else if (wt === 1 || wt === 5) {
      const n = wt === 1 ? 8 : 4;
      out.push({ num, wt, value: buf.subarray(i, i + n) });
      i += n;
    } else if (wt === 2) {
      const n = Number(readVarint());
      out.push({ num, wt, value: buf.subarray(i, i + n) });
      i += n;
    } else throw new Error(`wire type ${wt}`);
  }
  return out;
}

/** ExportTraceServiceResponse → {rejectedSpans, errorMessage} or null when empty. */
function pbPartialSuccess(buf) {
  const ps = pbFields(buf).find((f) => f.num === 1);
  if (!ps) return null;
  const f = pbFields(ps.value);
  const rejected = f.find((x) => x.num === 1);
  const message = f.find((x) => x.num === 2);
  return { rejectedSpans: rejected ? Number(rejected.value) : 0, errorMessage: message ? message.value.toString() : '' };
}

/** A small deterministic PRNG (mulberry32), so a failing fuzz case can be replayed. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

async function traceStatus(traceId) {
  return (await stack.get(`/api/v1/traces/${traceId}`, { key: t.secret })).status;
}

// ---- OTLP/JSON ----

test('OTLP JSON: bodies that are not an OTLP request are 400 and store nothing', async () => {
  const deepArrays = `{"resourceSpans":${'['.repeat(1000)}${']'.repeat(1000)}}`;
  const deepObjects = `${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`;
  let deepAny = '{"stringValue":"x"}';
  for (let i = 0; i < 1000; i++) deepAny = `{"arrayValue":{"values":[${deepAny}]}}`;
  const deepAttr = JSON.stringify(jsonRequest([jsonSpan({ attributes: [] })]))
    .replace('"attributes":[]', `"attributes":[{"key":"deep","value":${deepAny}}]`);
  const cases = [
    ['not JSON', '{"resourceSpans": [', 'invalid_json'],
    ['a NaN literal', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":NaN}]}]}]}', 'invalid_json'],
    ['an Infinity literal', '{"resourceSpans":Infinity}', 'invalid_json'],
    ['a number beyond double', '{"resourceSpans":[],"x":1e400}', 'invalid_json'],
    ['arrays nested 1000 deep', deepArrays, 'invalid_json'],
    ['objects nested 1000 deep', deepObjects, 'invalid_json'],
    ['an AnyValue nested 1000 deep', deepAttr, 'invalid_json'],
    ['invalid UTF-8', Buffer.concat([Buffer.from('{"resourceSpans":[],"x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), 'invalid_json'],
    ['an escaped NUL', '{"resourceSpans":[],"x":"a\\u0000b"}', 'invalid_json'],
    ['a JSON array', '[]', 'validation_failed'],
    ['a JSON string', '"resourceSpans"', 'validation_failed'],
    ['resourceSpans an object', '{"resourceSpans":{}}', 'validation_failed'],
    ['resourceSpans a string', '{"resourceSpans":"[]"}', 'validation_failed'],
    ['resourceSpans a number', '{"resourceSpans":1}', 'validation_failed'],
    ['a resourceSpans element not an object', '{"resourceSpans":[1]}', 'validation_failed'],
    ['resource not an object', '{"resourceSpans":[{"resource":[]}]}', 'validation_failed'],
    ['scopeSpans an object', '{"resourceSpans":[{"scopeSpans":{}}]}', 'validation_failed'],
    ['spans an object', '{"resourceSpans":[{"scopeSpans":[{"spans":{}}]}]}', 'validation_failed'],
    ['resource attributes not an array', '{"resourceSpans":[{"resource":{"attributes":{}},"scopeSpans":[]}]}', 'validation_failed'],
  ];
  await storesNothing(async () => {
    for (const [name, body, code] of cases) {
      const res = await post(OTLP, body);
      assert.equal(res.status, 400, `${name}: ${explain(stack, res)}`);
      refused(res, 400, code);
    }
  });
});

test('OTLP JSON: more than 10000 spans in one request is refused whole', async () => {
  const span = jsonSpan();
  const body = JSON.stringify(jsonRequest(Array.from({ length: 10001 }, () => span)));
  await storesNothing(async () => {
    refused(await post(OTLP, body), 400, 'validation_failed', /10000 spans/);
  });
});

test('OTLP JSON: an empty request is valid and exports nothing', async () => {
  await storesNothing(async () => {
    for (const body of ['{}', '{"resourceSpans":[]}', '{"resourceSpans":null}',
      '{"resourceSpans":[{"scopeSpans":[{"spans":[]}]}]}', '{"resourceSpans":[{}],"unknownField":{"a":[1]}}']) {
      const res = await post(OTLP, body);
      expectStatus(stack, res, 200);
      assert.deepEqual(res.body, {}, body);
      assert.match(res.headers['content-type'], /^application\/json/);
    }
  });
  // an empty body is not JSON at all (the protobuf encoding's empty message is)
  refused(await post(OTLP, ''), 400, 'invalid_json');
});

test('OTLP JSON: each bad span is refused alone and counted in partialSuccess', async () => {
  const good = jsonSpan();
  const start = nowNs() - 1000000000n;
  const bad = [
    ['traceId not hex', { traceId: 'zz'.repeat(16) }],
    ['traceId too short', { traceId: hex(8) }],
    ['traceId all zeros', { traceId: '0'.repeat(32) }],
    ['traceId a number', { traceId: 12345 }],
    ['traceId missing', { traceId: undefined }],
    ['spanId odd length', { spanId: `${hex(7)}a` }],
    ['spanId of 32 digits', { spanId: hex(16) }],
    ['parentSpanId not hex', { parentSpanId: 'not-a-span-id!!!' }],
    ['startTimeUnixNano "NaN"', { startTimeUnixNano: 'NaN' }],
    ['startTimeUnixNano negative', { startTimeUnixNano: '-1' }],
    ['endTimeUnixNano past int64', { endTimeUnixNano: '99999999999999999999' }],
    ['startTimeUnixNano 1e300', { startTimeUnixNano: 1e300 }],
    ['startTimeUnixNano fractional', { startTimeUnixNano: '1700000000000000000.5' }],
    ['startTimeUnixNano a year from now', { startTimeUnixNano: String(nowNs() + 365n * 86400n * 1000000000n),
      endTimeUnixNano: String(nowNs() + 366n * 86400n * 1000000000n) }],
    ['startTimeUnixNano in 1970', { startTimeUnixNano: '1000', endTimeUnixNano: '2000' }],
    ['end before start', { startTimeUnixNano: String(start), endTimeUnixNano: String(start - 1n) }],
    ['status not an object', { status: 2 }],
    ['status.code a word', { status: { code: 'ERROR' } }],
    ['name not a string', { name: { a: 1 } }],
    ['attributes not an array', { attributes: { 'gen_ai.request.model': 'x' } }],
    ['an attribute key not a string', { attributes: [{ key: 7, value: str('x') }] }],
  ].map(([why, over]) => [why, jsonSpan(over)]);
  const tokens = [
    ['negative input tokens', int('-5')],
    ['negative input tokens as a number', int(-5)],
    ['tokens "abc"', int('abc')],
    ['tokens "NaN"', str('NaN')],
    ['tokens "Infinity"', { doubleValue: 'Infinity' }],
    ['tokens 1.5', { doubleValue: 1.5 }],
    ['tokens past int64', int('99999999999999999999')],
    ['tokens a boolean', { boolValue: true }],
    ['tokens an array', { arrayValue: { values: [int(1)] } }],
  ].map(([why, v]) => [why, tokenSpan(v)]);
  const costs = [
    ['cost "NaN"', { doubleValue: 'NaN' }],
    ['cost negative', { doubleValue: -0.5 }],
    ['cost beyond int64 nano-dollars', { doubleValue: 1e12 }],
  ].map(([why, v]) => [why, jsonSpan({ attributes: [attr('gen_ai.request.model', str('m')),
    attr('tally.estimated_cost_usd', v)] })]);
  const all = [...bad, ...tokens, ...costs];
  const body = JSON.stringify(jsonRequest([good, ...all.map(([, s]) => s)]));

  const before = await snapshot();
  const res = await post(OTLP, body);
  expectStatus(stack, res, 200);
  assert.match(res.headers['content-type'], /^application\/json/);
  const ps = res.body.partialSuccess;
  assert.ok(ps, `a partialSuccess: ${res.text}`);
  assert.equal(ps.rejectedSpans, String(all.length), 'int64 rejectedSpans is a decimal string in OTLP/JSON');
  assert.match(ps.errorMessage, /^span 1: invalid traceId/);

  // the good span is stored; no refused one is
  const after = await snapshot();
  assert.deepEqual(after.traces, [...before.traces, `${good.traceId}:1`].sort());
  assert.equal(await traceStatus(good.traceId), 200);
  for (const [why, s] of all) {
    if (typeof s.traceId === 'string' && /^[0-9a-f]{32}$/.test(s.traceId) && !/^0+$/.test(s.traceId)) {
      assert.equal(await traceStatus(s.traceId), 404, `${why}: not stored`);
    }
  }

  // one at a time: each is refused, with a message naming the problem
  for (const [why, s] of all) {
    const one = await post(OTLP, JSON.stringify(jsonRequest([s])));
    expectStatus(stack, one, 200);
    assert.ok(one.body.partialSuccess, `${why}: ${one.text}`);
    assert.equal(one.body.partialSuccess.rejectedSpans, '1', why);
    assert.match(one.body.partialSuccess.errorMessage, /^span 0: \S/, why);
  }
});

// ---- OTLP protobuf ----

test('OTLP protobuf: a malformed wire format is 400 with a clear JSON error', async () => {
  const good = pbSpan();
  const req = pbRequest([good]);
  const span = (bytes) => pbRequest([bytes]);
  const many = (n, item) => Buffer.concat(Array.from({ length: n }, () => item));
  const cases = [
    ['a truncated varint key', Buffer.from([0x8a]), /truncated varint/],
    ['a truncated length', Buffer.from([0x0a, 0xff]), /truncated varint/],
    ['a varint of 11 bytes', Buffer.concat([pbKey(99, 0), Buffer.alloc(10, 0xff), Buffer.from([0x01])]), /longer than 10/],
    ['a length past the end', Buffer.from([0x0a, 0x10, 0x01, 0x02]), /length past the end/],
    ['a nested length past the end', Buffer.concat([pbKey(1, 2), varint(3), pbKey(2, 2), varint(100), Buffer.from([0])]),
      /length past the end/],
    ['a request cut short', req.subarray(0, req.length - 3), /past the end|truncated/],
    ['resourceSpans as a varint', Buffer.from([0x08, 0x01]), /wrong wire type/],
    ['startTimeUnixNano as a varint', span(pbVarint(7, 5)), /wrong wire type/],
    ['traceId as fixed32', span(Buffer.concat([pbKey(1, 5), Buffer.alloc(4)])), /wrong wire type/],
    ['a truncated fixed64', span(Buffer.concat([pbKey(7, 1), Buffer.alloc(3)])), /truncated fixed64/],
    ['a group (wire type 3)', Buffer.from([0x0b, 0x0c]), /group/],
    ['wire type 7', Buffer.from([0x0f]), /wire type/],
    ['field number 0', Buffer.from([0x02, 0x00]), /field number/],
    ['a span name that is not UTF-8', span(pbLen(5, Buffer.from([0x61, 0xc3, 0x28]))), /UTF-8/],
    ['a span name holding NUL', span(pbLen(5, Buffer.from('a\u0000b'))), /UTF-8/],
    ['an attribute key that is an overlong encoding', span(pbLen(9, pbLen(1, Buffer.from([0xc0, 0xaf])))), /UTF-8/],
    ['an AnyValue nested 33 deep', span(pbSpan({ attrs: [pbKv('deep', deepAnyValue(33))] })), /nested deeper/],
    ['an AnyValue nested 20000 deep', span(pbSpan({ attrs: [pbKv('deep', deepAnyValue(20000))] })), /nested deeper/],
    ['kvlists nested 40 deep', span(pbSpan({ attrs: [pbKv('kv', (() => {
      let v = avStr('x');
      for (let i = 0; i < 40; i++) v = pbLen(6, pbLen(1, pbKv(`k${i}`, v)));
      return v;
    })())] })), /nested deeper/],
    ['more than 200000 messages', span(Buffer.concat([pbSpan({ attrs: [] }), many(200001, pbLen(9, Buffer.alloc(0)))])),
      /elements/],
  ];
  await storesNothing(async () => {
    for (const [name, body, message] of cases) {
      const res = await post(OTLP, body, { ct: PB_CT });
      assert.equal(res.status, 400, `${name}: ${explain(stack, res)}`);
      refused(res, 400, 'invalid_protobuf', message);
    }
    // more spans than one request may hold: the structure is fine, the count is not
    const over = pbRequest(Array.from({ length: 10001 }, () => good));
    refused(await post(OTLP, over, { ct: PB_CT }), 400, 'validation_failed', /10000 spans/);
  });
});

/** Sends a span with an attribute nested `depth` AnyValues deep; its metadata as read back. */
async function deepMetadata(depth) {
  const traceId = hex(16);
  const res = await post(OTLP, pbRequest([pbSpan({ traceId, attrs: [
    pbKv('gen_ai.request.model', avStr('gpt-4o')), pbKv('deep', deepAnyValue(depth))] })]), { ct: PB_CT });
  expectStatus(stack, res, 200);
  assert.equal(res.raw.length, 0, 'the empty ExportTraceServiceResponse: every span taken');
  const tr = await stack.get(`/api/v1/traces/${traceId}`, { key: t.secret });
  expectStatus(stack, tr, 200);
  return tr.body.data.spans[0].metadata;
}

/** How deep a metadata value of nested one-element arrays goes, and its leaf. */
function nesting(v) {
  let depth = 1;
  while (Array.isArray(v)) {
    v = v[0];
    depth++;
  }
  return { depth, leaf: v };
}

test('OTLP protobuf: an AnyValue nested 31 deep is accepted and kept in the metadata', async () => {
  const meta = await deepMetadata(31);
  assert.ok(meta && typeof meta === 'object', `metadata ${JSON.stringify(meta)}`);
  assert.deepEqual(nesting(meta.deep), { depth: 31, leaf: 'deep' });
});

test('OTLP protobuf: an AnyValue nested 32 deep (the decoder\'s limit) is kept in the metadata',
  async () => {
    const meta = await deepMetadata(32);
    assert.ok(meta && typeof meta === 'object', `metadata ${JSON.stringify(meta)}`);
    assert.deepEqual(nesting(meta.deep), { depth: 32, leaf: 'deep' });
  });

test('OTLP protobuf: an empty body is an empty request: 200 with an empty answer', async () => {
  await storesNothing(async () => {
    const res = await post(OTLP, Buffer.alloc(0), { ct: PB_CT });
    expectStatus(stack, res, 200);
    assert.equal(res.headers['content-type'], PB_CT, 'answered in the request\'s content type');
    assert.equal(res.raw.length, 0);
    // fields it does not know are skipped, whatever their wire type
    const unknown = Buffer.concat([pbVarint(99, 5), pbLen(100, Buffer.from('x')), pbFixed64(101, 1),
      Buffer.concat([pbKey(102, 5), Buffer.alloc(4)])]);
    const res2 = await post(OTLP, unknown, { ct: PB_CT });
    expectStatus(stack, res2, 200);
    assert.equal(res2.raw.length, 0);
  });
});

test('OTLP protobuf: bad spans are counted in a protobuf partialSuccess, the good one stored', async () => {
  const goodTrace = hex(16);
  const badTraces = [];
  const bad = [
    pbSpan({ traceId: hex(8) }),                                    // 8-byte trace id
    pbSpan({ spanId: hex(4) }),                                     // 4-byte span id
    pbSpan({ traceId: '0'.repeat(32) }),                            // all zeros
    pbSpan({ start: nowNs(), end: nowNs() - 1000000000n }),         // ends before it starts
    pbSpan({ start: 1n << 63n, end: (1n << 64n) - 1n }),            // past int64 nanoseconds
    pbSpan({ attrs: [pbKv('gen_ai.request.model', avStr('m')), pbKv('gen_ai.usage.input_tokens', avInt(-3))] }),
    pbSpan({ attrs: [pbKv('gen_ai.usage.output_tokens', avStr('many'))] }),
    pbSpan({ attrs: [pbKv('gen_ai.usage.input_tokens', Buffer.concat([pbKey(4, 1),
      Buffer.from(new Float64Array([NaN]).buffer)]))] }),           // doubleValue NaN
  ];
  for (const s of bad) badTraces.push(pbFields(s).find((f) => f.num === 1).value.toString('hex'));
  const res = await post(OTLP, pbRequest([pbSpan({ traceId: goodTrace }), ...bad]), { ct: PB_CT });
  expectStatus(stack, res, 200);
  assert.equal(res.headers['content-type'], PB_CT);
  const ps = pbPartialSuccess(res.raw);
  assert.ok(ps, 'a partial_success');
  assert.equal(ps.rejectedSpans, bad.length);
  assert.match(ps.errorMessage, /^span 1: invalid traceId/);
  assert.equal(await traceStatus(goodTrace), 200);
  for (const id of badTraces) if (/^[0-9a-f]{32}$/.test(id) && !/^0+$/.test(id)) assert.equal(await traceStatus(id), 404);
});

test('OTLP protobuf: random and mutated bodies are 200 or 400, never a crash', async () => {
  // a project of its own: a mutation may well store something odd
  const fuzz = await stack.tenant('hostile-fuzz');
  const rand = prng(0x7a11e);
  const template = pbRequest([pbSpan({ parent: hex(8) }), pbSpan()]);
  const seen = { 200: 0, 400: 0 };
  for (let i = 0; i < 400; i++) {
    let body;
    if (i < 150) {
      body = Buffer.alloc(1 + Math.floor(rand() * 300));
      for (let k = 0; k < body.length; k++) body[k] = Math.floor(rand() * 256);
    } else if (i < 300) {
      body = Buffer.from(template);
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips; k++) body[Math.floor(rand() * body.length)] = Math.floor(rand() * 256);
    } else {
      body = template.subarray(0, Math.floor(rand() * template.length));
    }
    const res = await post(OTLP, body, { ct: PB_CT, key: fuzz.ingest });
    assert.ok(res.status === 200 || res.status === 400,
      `case ${i} (body ${body.toString('base64')}): ${explain(stack, res)}`);
    if (res.status === 400) expectError(stack, res, 400);
    seen[res.status]++;
  }
  assert.ok(seen[400] > 100, `most random bodies are refused: ${JSON.stringify(seen)}`);
});

// ---- sizes, media types, encodings ----

/** A valid OTLP JSON request of about `bytes` bytes: spans with a large prompt each. */
function bigJsonRequest(bytes) {
  const traceId = hex(16);
  const pad = 'p'.repeat(8000);
  const spans = [];
  for (let i = 0; i < Math.ceil(bytes / pad.length) + 10; i++) {
    spans.push(jsonSpan({ traceId, attributes: [attr('gen_ai.request.model', str('gpt-4o')),
      attr('gen_ai.prompt', str(pad)), attr('gen_ai.usage.input_tokens', int(2000))] }));
  }
  return { traceId, spans: spans.length, body: JSON.stringify(jsonRequest(spans)) };
}

test('OTLP: bodies over 1 MiB are accepted there (8 MiB), as JSON and as protobuf', async () => {
  const big = bigJsonRequest(2 * MiB);
  assert.ok(big.body.length > 2 * MiB);
  const res = await post(OTLP, big.body);
  expectStatus(stack, res, 200);
  assert.deepEqual(res.body, {});
  const tr = await stack.get(`/api/v1/traces/${big.traceId}`, { key: t.secret });
  expectStatus(stack, tr, 200);
  assert.equal(tr.body.data.spanCount, big.spans);

  const traceId = hex(16);
  const pad = 'q'.repeat(16000);
  const spans = Array.from({ length: 470 }, () => pbSpan({ traceId, attrs: [pbKv('gen_ai.request.model', avStr('m')),
    pbKv('gen_ai.prompt', avStr(pad))] }));
  const pb = pbRequest(spans);
  assert.ok(pb.length > 7 * MiB && pb.length < 8 * MiB, `${pb.length} bytes`);
  const res2 = await post(OTLP, pb, { ct: PB_CT });
  expectStatus(stack, res2, 200);
  assert.equal(res2.raw.length, 0);
  const tr2 = await stack.get(`/api/v1/traces/${traceId}`, { key: t.secret });
  expectStatus(stack, tr2, 200);
  assert.equal(tr2.body.data.spanCount, 470);
});

test('OTLP: a body over 8 MiB is 413 in the error shape; other LLM routes stop at 1 MiB', async () => {
  await storesNothing(async () => {
    const body = Buffer.concat([Buffer.from('{"resourceSpans":[],"pad":"'), Buffer.alloc(8 * MiB + 1024, 0x61),
      Buffer.from('"}')]);
    refused(await post(OTLP, body), 413, 'payload_too_large');
    refused(await post(OTLP, body, { ct: PB_CT }), 413, 'payload_too_large');
    const mib = Buffer.concat([Buffer.from('{"traces":[],"pad":"'), Buffer.alloc(MiB + 1024, 0x61), Buffer.from('"}')]);
    for (const p of ['/api/v1/traces/batch', '/api/v1/vote', '/api/v1/events']) refused(await post(p, mib), 413, 'payload_too_large');
  });
});

test('a wrong Content-Type is 415; a wrong Content-Encoding is 415', async () => {
  const body = JSON.stringify(jsonRequest([jsonSpan()]));
  await storesNothing(async () => {
    for (const ct of ['text/xml', 'application/xml', 'application/protobuf', 'application/grpc',
      'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded']) {
      refused(await post(OTLP, body, { ct }), 415, 'unsupported_media_type');
    }
    // protobuf is for the OTLP route only
    for (const p of ['/api/v1/traces/batch', '/api/v1/vote', '/api/v1/events']) {
      refused(await post(p, pbRequest([pbSpan()]), { ct: PB_CT }), 415, 'unsupported_media_type');
    }
    for (const enc of ['br', 'deflate', 'compress', 'gzip, gzip']) {
      refused(await post(OTLP, body, { enc }), 415, 'unsupported_encoding');
    }
  });
});

test('gzip: a bomb is 413, a broken stream 400, a good one accepted', async () => {
  await storesNothing(async () => {
    // 64 MiB of one byte inflates from ~64 KiB: far past the 8 MiB OTLP limit
    const bomb = zlib.gzipSync(Buffer.concat([Buffer.from('{"resourceSpans":[],"pad":"'), Buffer.alloc(64 * MiB, 0x61),
      Buffer.from('"}')]), { level: 9 });
    assert.ok(bomb.length < MiB);
    refused(await post(OTLP, bomb, { enc: 'gzip' }), 413, 'payload_too_large');
    refused(await post(OTLP, bomb, { enc: 'gzip', ct: PB_CT }), 413, 'payload_too_large');
    // just past 8 MiB once inflated
    const over = zlib.gzipSync(Buffer.alloc(8 * MiB + 1, 0x0a));
    refused(await post(OTLP, over, { enc: 'gzip', ct: PB_CT }), 413, 'payload_too_large');
    // 2 MiB inflated is over the 1 MiB of the other routes
    const two = zlib.gzipSync(Buffer.concat([Buffer.from('{"traces":[],"pad":"'), Buffer.alloc(2 * MiB, 0x61), Buffer.from('"}')]));
    for (const p of ['/api/v1/traces/batch', '/api/v1/vote', '/api/v1/events']) refused(await post(p, two, { enc: 'gzip' }), 413);

    const good = zlib.gzipSync(JSON.stringify(jsonRequest([jsonSpan()])));
    refused(await post(OTLP, good.subarray(0, good.length - 10), { enc: 'gzip' }), 400, 'invalid_body');
    refused(await post(OTLP, Buffer.from('not gzip at all'), { enc: 'gzip' }), 400, 'invalid_body');
    refused(await post(OTLP, zlib.deflateSync('{}'), { enc: 'gzip' }), 400, 'invalid_body');
  });
  const span = jsonSpan();
  const res = await post(OTLP, zlib.gzipSync(JSON.stringify(jsonRequest([span]))), { enc: 'gzip' });
  expectStatus(stack, res, 200);
  assert.equal(await traceStatus(span.traceId), 200);
});

// ---- Pulse trace batch ----

test('traces/batch: hostile batches are 400 with the error shape and store nothing', async () => {
  const ok = () => ({ id: uid('pulse-ok'), name: 'ok', sessionId: 's', spans: [{ model: 'gpt-4o', inputTokens: 3, outputTokens: 4 }] });
  const withSpan = (span) => ({ traces: [{ id: uid('pulse-bad'), spans: [{ model: 'gpt-4o', inputTokens: 1, ...span }] }] });
  const deep = `{"traces":[{"id":"d","metadata":${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}}]}`;
  const cases = [
    ['not JSON', '{"traces": [', 'invalid_json'],
    ['nested 1000 deep', deep, 'invalid_json'],
    ['a NaN literal', '{"traces":[{"id":"n","spans":[{"model":"m","latencyMs":NaN}]}]}', 'invalid_json'],
    ['tokens past int64', '{"traces":[{"id":"n","spans":[{"model":"m","inputTokens":99999999999999999999}]}]}', 'invalid_json'],
    ['traces not an array', { traces: { id: 'x' } }],
    ['no traces', { spans: [] }],
    ['an empty batch', { traces: [] }],
    ['a trace that is not an object', { traces: ['x'] }],
    ['spans not an array', { traces: [{ id: 'x', spans: {} }] }],
    ['metadata not an object', { traces: [{ id: 'x', metadata: 'm' }] }],
    ['an id that is an object', { traces: [{ id: { x: 1 } }] }],
    ['an empty id', { traces: [{ id: '' }] }],
    ['an id of 1000 characters', { traces: [{ id: 'i'.repeat(1000) }] }],
    ['a startTime that is not a time', { traces: [{ id: 'x', startTime: 'yesterday-ish' }] }],
    ['a startTime in 1970', { traces: [{ id: 'x', startTime: 1000 }] }],
    ['an endTime before startTime', { traces: [{ id: 'x', startTime: Date.now() - 1000, endTime: Date.now() - 5000 }] }],
    ['negative tokens', withSpan({ inputTokens: -1 })],
    ['tokens as a string', withSpan({ outputTokens: '12' })],
    ['tokens 1.5', withSpan({ cachedTokens: 1.5 })],
    ['tokens 1e20', withSpan({ inputTokens: 1e20 })],
    ['latency "NaN"', withSpan({ latencyMs: 'NaN' })],
    ['latency negative', withSpan({ latencyMs: -5 })],
    ['latency 1e300', withSpan({ latencyMs: 1e300 })],
    ['a cost of "1"', withSpan({ estimatedCostUsd: '1' })],
    ['a cost of 1e10 USD', withSpan({ estimatedCostUsd: 1e10 })],
    ['a span id that is an object', withSpan({ spanId: { a: 1 } })],
    ['a model of 1000 characters', withSpan({ model: 'm'.repeat(1000) })],
    ['status "maybe"', withSpan({ status: 'maybe' })],
    ['a span endTime before its start', withSpan({ startTime: Date.now() - 1000, endTime: Date.now() - 9000 })],
    ['a span that is not an object', { traces: [{ id: 'x', spans: [7] }] }],
    ['one bad trace among good ones', { traces: [ok(), withSpan({ inputTokens: -1 }).traces[0], ok()] }],
  ];
  await storesNothing(async () => {
    for (const [name, body, code] of cases) {
      const res = typeof body === 'string' ? await post('/api/v1/traces/batch', body)
        : await stack.post('/api/v1/traces/batch', body, { key: t.ingest });
      assert.equal(res.status, 400, `${name}: ${explain(stack, res)}`);
      const b = refused(res, 400, code);
      if (!code && b.details.length) {
        for (const d of b.details) assert.ok(Number.isInteger(d.index) && typeof d.field === 'string' && d.problem, JSON.stringify(d));
      }
    }
  });
  // the control: the same shape, valid, is stored
  const res = await stack.post('/api/v1/traces/batch', { traces: [ok()] }, { key: t.ingest });
  expectStatus(stack, res, 202);
  assert.equal(res.body.accepted, 1);
});

// ---- LLM calls on /api/v1/events ----

test('events: hostile LLM fields are 400 with details and store nothing', async () => {
  const call = (over) => ({ events: [{ event: 'llm_call', userId: 'hostile-u', model: 'gpt-4o', inputTokens: 10, outputTokens: 2, ...over }] });
  const cases = [
    ['negative input tokens', call({ inputTokens: -1 }), 'inputTokens'],
    ['negative cached tokens (alias)', call({ cache_read_input_tokens: -7 }), 'cache_read_input_tokens'],
    ['input tokens as a string', call({ inputTokens: '10' }), 'inputTokens'],
    ['output tokens as a string (alias)', call({ outputTokens: undefined, completion_tokens: 'lots' }), 'completion_tokens'],
    ['tokens 2.5', call({ outputTokens: 2.5 }), 'outputTokens'],
    ['tokens null-ish "null"', call({ inputTokens: 'null' }), 'inputTokens'],
    ['latency "NaN"', call({ latencyMs: 'NaN' }), 'latencyMs'],
    ['latency negative', call({ latency: -1 }), 'latency'],
    ['latency 1e300', call({ latency_ms: 1e300 }), 'latency_ms'],
    ['a cost of -1', call({ estimatedCostUsd: -1 }), 'estimatedCostUsd'],
    ['a cost as a string', call({ estimatedCostUsd: '0.5' }), 'estimatedCostUsd'],
    ['traceId empty', call({ traceId: '' }), 'traceId'],
    ['traceId an object', call({ traceId: { id: 1 } }), 'traceId'],
    ['traceId an array', call({ traceId: ['a'] }), 'traceId'],
    ['traceId of 1000 characters', call({ traceId: 't'.repeat(1000) }), 'traceId'],
    ['spanId a boolean', call({ spanId: true }), 'spanId'],
    ['parentSpanId empty', call({ parentSpanId: '' }), 'parentSpanId'],
    ['provider a number array', call({ provider: [1] }), 'provider'],
    ['status "maybe"', call({ status: 'maybe' }), 'status'],
    ['metadata a string', call({ metadata: 'x' }), 'metadata'],
    ['startTime not a time', call({ startTime: 'soon' }), 'startTime'],
    ['endTime before startTime', call({ startTime: Date.now() - 1000, endTime: Date.now() - 9000 }), 'endTime'],
  ];
  await storesNothing(async () => {
    for (const [name, body, field] of cases) {
      const res = await stack.post('/api/v1/events', body, { key: t.ingest });
      assert.equal(res.status, 400, `${name}: ${explain(stack, res)}`);
      const b = refused(res, 400, 'validation_failed');
      assert.equal(b.details.length, 1, name);
      assert.equal(b.details[0].field, field, `${name}: ${JSON.stringify(b.details)}`);
    }
    // a good call next to a bad one: the batch is refused whole
    const mixed = { events: [call({}).events[0], call({ inputTokens: -1 }).events[0]] };
    const b = refused(await stack.post('/api/v1/events', mixed, { key: t.ingest }), 400, 'validation_failed');
    assert.deepEqual(b.details.map((d) => d.index), [1]);
    for (const raw of ['{"events":[{"event":"x","userId":"u","model":"m","inputTokens":NaN}]}',
      '{"events":[{"event":"x","userId":"u","model":"m","latencyMs":1e400,"inputTokens":1}]}',
      '{"events":[{"event":"x","userId":"u","model":"m","inputTokens":18446744073709551616}]}']) {
      refused(await post('/api/v1/events', raw), 400, 'invalid_json');
    }
  });
});

// ---- votes ----

test('vote: hostile votes are 400 and store nothing; a vote on an unknown trace is accepted', async () => {
  // a trace to vote on, in a session, so that its votes show there too
  const session = uid('vote-s');
  const traceId = uid('vote-t');
  expectStatus(stack, await stack.post('/api/v1/traces/batch',
    { traces: [{ id: traceId, sessionId: session, spans: [{ model: 'gpt-4o', inputTokens: 1 }] }] }, { key: t.ingest }), 202);
  const sessionVotes = async () => {
    const res = await stack.get(`/api/v1/sessions/${session}`, { key: t.secret });
    expectStatus(stack, res, 200);
    return res.body.data.voteCount;
  };
  assert.equal(await sessionVotes(), 0);

  const cases = [
    ['no value', { traceId }],
    ['value null', { traceId, value: null }],
    ['value as a string', { traceId, value: '1' }],
    ['value a boolean', { traceId, value: true }],
    ['value an object', { traceId, value: { v: 1 } }],
    ['value 1e10', { traceId, value: 1e10 }],
    ['no traceId nor turnId', { value: 1, userId: 'u' }],
    ['traceId empty', { traceId: '', value: 1 }],
    ['traceId a number array', { traceId: [1], value: 1 }],
    ['traceId of 1000 characters', { traceId: 'v'.repeat(1000), value: 1 }],
    ['userId an object', { traceId, value: 1, userId: { id: 'u' } }],
    ['comment a number', { traceId, value: 1, comment: 5 }],
    ['comment of 5000 bytes', { traceId, value: 1, comment: 'c'.repeat(5000) }],
    ['timestamp not a time', { traceId, value: 1, timestamp: 'later' }],
    ['timestamp in 1970', { traceId, value: 1, timestamp: 1000 }],
    ['a vote that is not an object', [7]],
    ['an empty list', []],
    ['an empty votes list', { votes: [] }],
    ['a JSON string', 'up'],
    ['one bad vote among good ones', { votes: [{ traceId, value: 1 }, { traceId, value: 'x' }, { traceId, value: -1 }] }],
  ];
  await storesNothing(async () => {
    for (const [name, body] of cases) {
      const res = await stack.post('/api/v1/vote', body, { key: t.ingest });
      assert.equal(res.status, 400, `${name}: ${explain(stack, res)}`);
      refused(res, 400, 'validation_failed');
    }
    for (const raw of ['{"traceId":"x","value":NaN}', '{"traceId":"x","value":Infinity}', '{"traceId":"x","value":1e999}',
      '{"traceId":"x","value":']) {
      refused(await post('/api/v1/vote', raw), 400, 'invalid_json');
    }
  });
  assert.equal(await sessionVotes(), 0);

  // the control: a good vote on the trace lands in its session
  expectStatus(stack, await stack.post('/api/v1/vote', { traceId, value: 1, userId: 'voter' }, { key: t.ingest }), 202);
  assert.equal(await sessionVotes(), 1);

  // documented acceptance: votes may arrive before (or without) their trace,
  // as Bilan's SDK sends them; one on an unknown trace is stored as sent
  const before = (await snapshot()).votes;
  const res = await stack.post('/api/v1/vote', { traceId: uid('no-such-trace'), value: -1 }, { key: t.ingest });
  expectStatus(stack, res, 202);
  assert.equal(res.body.accepted, 1);
  assert.equal((await snapshot()).votes, before + 1);
});

// ---- counters that overflow int64 ----

const INT64_MAX = '9223372036854775807';

test('token counts above a billion are refused, and later LLM ingest goes on', async () => {
  const p = await stack.tenant('hostile-overflow');
  const huge = await stack.request('POST', '/api/v1/events', { key: p.ingest, headers: { 'Content-Type': JSON_CT },
    body: `{"events":[{"event":"llm_call","userId":"u","model":"gpt-4o","traceId":"huge-1","inputTokens":${INT64_MAX},"outputTokens":${INT64_MAX}}]}` });
  refused(huge, 400, 'validation_failed');
  assert.match(huge.text, /from 0 to 1000000000/);
  const otlpHuge = await stack.request('POST', OTLP, { key: p.ingest,
    json: jsonRequest([jsonSpan({ attributes: [attr('gen_ai.request.model', str('gpt-4o')),
      attr('gen_ai.usage.input_tokens', int(INT64_MAX))] })]) });
  expectStatus(stack, otlpHuge, 200);
  assert.equal(otlpHuge.body.partialSuccess?.rejectedSpans, '1', explain(stack, otlpHuge));
  // at the limit: stored, and the sums stay exact
  const max = await stack.post('/api/v1/events', { events: [{ event: 'llm_call', userId: 'u', model: 'gpt-4o',
    traceId: 'max-1', inputTokens: 1000000000, outputTokens: 1000000000 }] }, { key: p.ingest });
  expectStatus(stack, max, 202);
  const tr = await stack.get('/api/v1/traces/max-1', { key: p.secret });
  expectStatus(stack, tr, 200);
  assert.equal(tr.body.data.totalTokens, 2000000000);
  // an ordinary call afterwards, on each LLM route
  const ev = await stack.post('/api/v1/events', { events: [{ event: 'llm_call', userId: 'u2', model: 'claude', inputTokens: 10 }] },
    { key: p.ingest });
  expectStatus(stack, ev, 202);
  const otlp = await stack.request('POST', OTLP, { key: p.ingest, json: jsonRequest([jsonSpan()]) });
  expectStatus(stack, otlp, 200);
  const batch = await stack.post('/api/v1/traces/batch', { traces: [{ id: 'after', spans: [{ model: 'm', inputTokens: 1 }] }] },
    { key: p.ingest });
  expectStatus(stack, batch, 202);
});

test('cost sums past int64 nano-dollars hold at the maximum and never block ingest', async () => {
  const p = await stack.tenant('hostile-cost');
  const over = await stack.post('/api/v1/events', { events: [{ event: 'llm_call', userId: 'u', model: 'm',
    inputTokens: 1, estimatedCostUsd: 1e9 }] }, { key: p.ingest });
  refused(over, 400, 'validation_failed');
  // 100,000 USD a call is allowed: 93,000 of them in one trace pass 2^63 nano-dollars
  for (let r = 0; r < 38; r++) {
    const events = Array.from({ length: 2500 }, (_, i) => ({ event: 'llm_call', userId: 'u', model: 'm',
      traceId: 'costly-one', spanId: `s-${r}-${i}`, inputTokens: 1, estimatedCostUsd: 100000 }));
    expectStatus(stack, await stack.post('/api/v1/events', { events }, { key: p.ingest }), 202);
  }
  const after = await stack.post('/api/v1/events', { events: [{ event: 'llm_call', userId: 'u', model: 'm',
    traceId: 'costly-one', inputTokens: 1, estimatedCostUsd: 0.5 }] }, { key: p.ingest });
  expectStatus(stack, after, 202);
  const tr = await stack.get('/api/v1/traces/costly-one', { key: p.secret });
  expectStatus(stack, tr, 200);
  assert.equal(tr.body.data.callCount, 95001);
  assert.ok(tr.body.data.costNusd >= 9.2e18, `the trace cost holds at the maximum: ${tr.body.data.costNusd}`);
  const cb = await stack.get('/api/v1/analytics/cost-breakdown', { key: p.secret });
  expectStatus(stack, cb, 200);
  assert.ok(cb.body.data[0].totalCostNusd >= 9.2e18, 'the rollups hold at the maximum too');
});

// ---- afterwards ----

test('the stack still answers, and no worker process died', async () => {
  const health = await stack.get('/api/health');
  expectStatus(stack, health, 200);
  assert.equal(health.body.status, 'ok');
  assert.deepEqual(workers(), workersBefore, 'the same worker processes as at the start');
  const bad = stack.logText().split('\n').filter((l) => /signal|crash|core dumped|segfault|abort/i.test(l));
  assert.deepEqual(bad, [], 'no worker died');
  // and still ingests
  const span = jsonSpan();
  expectStatus(stack, await post(OTLP, JSON.stringify(jsonRequest([span]))), 200);
  assert.equal(await traceStatus(span.traceId), 200);
});
