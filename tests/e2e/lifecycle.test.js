// The data lifecycle (docs/lifecycle.md): GET /api/v1/export and tallyctl
// export (NDJSON and CSV, streamed), retention with tallyctl prune, and
// tallyctl backup, the last two while ingest goes on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { startStack, expectStatus, expectError } from './lib/stack.js';

const run = promisify(execFile);
const MIN = 60000;
const HOUR = 3600000;
const DAY = 86400000;
const WEEK = 7 * DAY;
const GRAIN_MS = [HOUR, DAY, WEEK];
const CSV_COLUMNS = ['messageId', 'type', 'event', 'userId', 'anonymousId', 'sessionId', 'timestamp',
  'receivedAt', 'properties', 'context', 'traits', 'groupId', 'previousId', 'conversationId', 'turnId',
  'shopId', 'requestId'];
const JSON_COLUMNS = new Set(['properties', 'context', 'traits']);

const hasSqlite = (() => {
  try { execFileSync('sqlite3', ['-version'], { stdio: 'ignore' }); return true; } catch { return false; }
})();

let stack;
let a;
let b;

before(async () => {
  stack = await startStack();
  a = await stack.tenant('life-a');
  b = await stack.tenant('life-b');
});

after(async () => {
  if (stack) await stack.stop();
});

/** tallyctl that resolves to { code, stdout, stderr } instead of throwing on a non-zero exit. */
async function ctl(...args) {
  try {
    const { stdout, stderr } = await stack.ctl(...args);
    return { code: 0, stdout, stderr };
  } catch (err) {
    if (typeof err.code !== 'number') throw err;
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** One SQL statement against a database file with the sqlite3 shell; rows as '|'-joined lines. */
async function sql(query, file = path.join(stack.varDir, 'tally.db')) {
  const { stdout } = await run('sqlite3', ['-cmd', '.timeout 10000', file, query], { maxBuffer: 1 << 28 });
  return stdout.trim();
}

async function ingest(t, events) {
  const res = await stack.post('/api/v1/events', { events }, { key: t.ingest });
  expectStatus(stack, res, 202);
  assert.equal(res.body.accepted, events.length, `accepted: ${res.text}`);
}

/** Posts many events, 2500 a batch, two batches at a time. */
async function ingestMany(t, events) {
  const batches = [];
  for (let i = 0; i < events.length; i += 2500) batches.push(events.slice(i, i + 2500));
  for (let i = 0; i < batches.length; i += 2) {
    await Promise.all(batches.slice(i, i + 2).map((bt) => ingest(t, bt)));
  }
}

/**
 * GET through nginx, counting the pieces the body arrives in.
 * Resolves to { status, headers, raw, text, pieces }.
 */
function getStream(urlPath, key) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: stack.httpPort, path: urlPath, agent: false,
      headers: { Authorization: `Bearer ${key}` } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, raw, text: raw.toString('utf8'),
          pieces: chunks.length });
      });
      res.on('error', reject);
    });
    req.setTimeout(60000, () => req.destroy(new Error(`GET ${urlPath}: timed out`)));
    req.on('error', reject);
  });
}

async function exportNdjson(t, query = '') {
  const res = await getStream(`/api/v1/export${query}`, t.secret);
  assert.equal(res.status, 200, res.text.slice(0, 500));
  return res.text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** RFC 4180: records of fields; an unquoted empty field is null (absent), a quoted one ''. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  const end = () => { row.push(wasQuoted || field !== '' ? field : null); field = ''; wasQuoted = false; };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
    } else if (c === '"') {
      quoted = true;
      wasQuoted = true;
    } else if (c === ',') {
      end();
    } else if (c === '\r' && text[i + 1] === '\n') {
      end();
      rows.push(row);
      row = [];
      i++;
    } else {
      field += c;
    }
  }
  assert.equal(quoted, false, 'the CSV ends inside a quoted field');
  if (field !== '' || wasQuoted || row.length) { end(); rows.push(row); }
  return rows;
}

/** A CSV record checked against the NDJSON object of the same event. */
function assertCsvMatches(record, obj) {
  assert.equal(record.length, CSV_COLUMNS.length);
  CSV_COLUMNS.forEach((col, i) => {
    if (obj[col] === undefined) assert.equal(record[i], null, `${obj.messageId}.${col} absent`);
    else if (JSON_COLUMNS.has(col)) assert.deepEqual(JSON.parse(record[i]), obj[col], `${obj.messageId}.${col}`);
    else assert.equal(record[i], obj[col], `${obj.messageId}.${col}`);
  });
}

// Thirty events ten days ago, a minute apart; 10 and 11 share a time (the id orders them).
const BASE = Date.now() - 10 * DAY;
const tsOf = (i) => BASE + (i === 11 ? 10 : i) * MIN;
function sample(tenant) {
  const out = [];
  for (let i = 0; i < 30; i++) {
    const e = { messageId: `x-${i}`, event: `e${i % 3}`, userId: `u${i % 4}`, timestamp: tsOf(i),
      properties: { i, tenant } };
    if (i === 3) Object.assign(e, { type: 'identify', traits: { plan: 'pro' } });
    if (i === 4) Object.assign(e, { type: 'page', context: { page: { url: 'https://example.com/x' } } });
    if (i === 7) Object.assign(e, { sessionId: 's1', shopId: 'shop-1' });
    out.push(e);
  }
  // stored out of time order: the export sorts by event time
  return [...out.slice(15), ...out.slice(0, 15)];
}

test('export NDJSON: every event oldest first, in the fields of GET /api/v1/events', async () => {
  await ingest(a, sample('a'));
  await ingest(b, sample('b'));
  const res = await getStream('/api/v1/export', a.secret);
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^application\/x-ndjson/);
  assert.match(res.headers['content-disposition'], /^attachment; filename="tally-life-a-events-\d{8}T\d{6}Z\.ndjson"$/);
  assert.equal(res.headers['content-length'], undefined);
  assert.ok(res.text.endsWith('\n'));
  const lines = res.text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((e) => e.messageId), Array.from({ length: 30 }, (_, i) => `x-${i}`));
  // each line is what the events list says of that event, field for field
  const listed = new Map((await stack.allEvents(a.secret)).map((e) => [e.messageId, e]));
  for (const e of lines) assert.deepEqual(e, listed.get(e.messageId));
  assert.deepEqual(lines[3].traits, { plan: 'pro' });
  assert.equal(lines[4].type, 'page');
  assert.equal(lines[7].shopId, 'shop-1');
  assert.deepEqual(lines[0].properties, { i: 0, tenant: 'a' });
});

test('export range: [from, to) on the event time, ISO 8601 or epoch ms', async () => {
  const iso = new Date(tsOf(5)).toISOString();
  const got = await exportNdjson(a, `?from=${encodeURIComponent(iso)}&to=${tsOf(15)}`);
  assert.deepEqual(got.map((e) => e.messageId), Array.from({ length: 10 }, (_, i) => `x-${i + 5}`));
  const equal = await exportNdjson(a, `?from=${tsOf(10)}&to=${tsOf(10) + 1}`);
  assert.deepEqual(equal.map((e) => e.messageId), ['x-10', 'x-11']);
  assert.deepEqual(await exportNdjson(a, `?from=${tsOf(29) + 1}`), []);
  const res = await getStream(`/api/v1/export?to=${tsOf(0)}`, a.secret);
  assert.equal(res.status, 200);
  assert.equal(res.text, '', 'an empty export is an empty body');
});

test('export is per project: the same message ids, never the other tenant\'s rows', async () => {
  const ea = await exportNdjson(a);
  const eb = await exportNdjson(b);
  assert.deepEqual(eb.map((e) => e.messageId), ea.map((e) => e.messageId));
  assert.ok(ea.every((e) => e.properties.tenant === 'a'));
  assert.ok(eb.every((e) => e.properties.tenant === 'b'));
  const csv = parseCsv((await getStream('/api/v1/export?format=csv', b.secret)).text);
  assert.ok(csv.slice(1).every((r) => JSON.parse(r[8]).tenant === 'b'));
});

test('export CSV: RFC 4180, header row, quoting of commas, quotes and line breaks', async () => {
  const tricky = [
    { messageId: 'csv-1', event: 'tricky, "quoted"\nline2\r\nline3', userId: '#not-a-comment',
      timestamp: tsOf(29) + 1, properties: { note: 'a, "b"\nc', empty: '', nested: { list: [1, 'x,y'] } },
      context: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' } },
    { messageId: 'csv-2', event: 'plain', userId: 'u', timestamp: tsOf(29) + 2 },
  ];
  await ingest(a, tricky);
  const res = await getStream('/api/v1/export?format=csv', a.secret);
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^text\/csv/);
  assert.match(res.headers['content-disposition'], /filename="tally-life-a-events-\d{8}T\d{6}Z\.csv"$/);
  assert.ok(res.text.endsWith('\r\n'));
  const rows = parseCsv(res.text);
  assert.deepEqual(rows[0], CSV_COLUMNS);
  const objs = await exportNdjson(a);
  assert.equal(rows.length - 1, objs.length);
  objs.forEach((o, i) => assertCsvMatches(rows[i + 1], o));
  const t = rows.find((r) => r[0] === 'csv-1');
  assert.equal(t[2], 'tricky, "quoted"\nline2\r\nline3');
  assert.equal(t[3], '#not-a-comment');
  // the raw text: quotes doubled, the field in quotes, no record starts with '#'
  assert.ok(res.text.includes('csv-1,track,"tricky, ""quoted""\nline2\r\nline3","#not-a-comment",'));
  assert.ok(!/\r\n#/.test(res.text));
  // csv-2 has no properties, context or traits: empty fields, not ""
  assert.match(res.text, /\r\ncsv-2,track,plain,u,,,[^,]+,[^,]+,,,,,,,,,[0-9a-f]{32}\r\n/);
});

test('export: bad format or range is a 400, an ingest key a 403, no key a 401', async () => {
  expectError(stack, await stack.get('/api/v1/export?format=xml', { key: a.secret }), 400, 'bad_request');
  expectError(stack, await stack.get('/api/v1/export?format=', { key: a.secret }), 400, 'bad_request');
  expectError(stack, await stack.get(`/api/v1/export?from=${tsOf(5)}&to=${tsOf(5)}`, { key: a.secret }), 400, 'bad_request');
  expectError(stack, await stack.get(`/api/v1/export?from=${tsOf(6)}&to=${tsOf(5)}`, { key: a.secret }), 400, 'bad_request');
  expectError(stack, await stack.get('/api/v1/export?from=yesterday', { key: a.secret }), 400, 'bad_request');
  expectError(stack, await stack.get('/api/v1/export', { key: a.ingest }), 403, 'forbidden');
  expectError(stack, await stack.get('/api/v1/export'), 401);
  expectError(stack, await stack.request('POST', '/api/v1/export', { key: a.secret, json: {} }), 405);
});

test('a 25k-event export through nginx is complete, ordered and streamed; tallyctl export gives the same bytes', async () => {
  const big = await stack.tenant('life-big');
  const N = 25000;
  const t0 = Date.now() - 5 * DAY;
  const events = [];
  for (let i = 0; i < N; i++) {
    events.push({ messageId: `big-${i}`, event: `ev${i % 7}`, userId: `user${i % 500}`,
      timestamp: t0 + i, properties: { i, path: `/p/${i % 40}`, note: 'x'.repeat(60) } });
  }
  await ingestMany(big, events);

  const res = await getStream('/api/v1/export', big.secret);
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-length'], undefined, 'no Content-Length: the body is streamed');
  assert.equal(res.headers['transfer-encoding'], 'chunked');
  assert.ok(res.pieces > 1, `arrived in ${res.pieces} pieces`);
  const lines = res.text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.equal(lines.length, N);
  assert.equal(new Set(lines.map((e) => e.messageId)).size, N);
  assert.deepEqual(lines.map((e) => e.properties.i), Array.from({ length: N }, (_, i) => i), 'oldest first');
  assert.ok(!lines.some((e) => e.error), 'no incomplete marker');

  const out = path.join(stack.varDir, 'big.ndjson');
  const r = await ctl('export', 'life-big', '--output', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /exported 25000 events of life-big/);
  assert.ok(fs.readFileSync(out).equals(res.raw), 'tallyctl export = GET /api/v1/export, byte for byte');

  const csv = await getStream('/api/v1/export?format=csv', big.secret);
  assert.equal(csv.status, 200);
  assert.equal(csv.headers['content-length'], undefined);
  assert.equal(parseCsv(csv.text).length, N + 1);
  const outCsv = path.join(stack.varDir, 'big.csv');
  const from = new Date(t0).toISOString();
  assert.equal((await ctl('export', 'life-big', '--format', 'csv', '--output', outCsv)).code, 0);
  assert.ok(fs.readFileSync(outCsv).equals(csv.raw), 'CSV: tallyctl export = GET /api/v1/export');

  // a range through both doors
  const part = await getStream(`/api/v1/export?from=${encodeURIComponent(from)}&to=${t0 + 1000}&format=csv`, big.secret);
  const outPart = path.join(stack.varDir, 'part.csv');
  assert.equal((await ctl('export', 'life-big', '--from', from, '--to', String(t0 + 1000), '--format=csv',
    '--output', outPart)).code, 0);
  assert.ok(fs.readFileSync(outPart).equals(part.raw));
  assert.equal(parseCsv(part.text).length, 1000 + 1);
});

test('tallyctl export: usage errors and stdout', async () => {
  assert.equal((await ctl('export')).code, 2);
  assert.equal((await ctl('export', 'life-a', '--format', 'xml')).code, 2);
  assert.equal((await ctl('export', 'life-a', '--from', '2025-01-02', '--to', '2025-01-01')).code, 2);
  assert.equal((await ctl('export', 'life-a', '--from', 'soon')).code, 2);
  assert.equal((await ctl('export', 'no-such-project')).code, 1);
  const r = await ctl('export', 'life-a', '--to', String(tsOf(3)));
  assert.equal(r.code, 0);
  assert.deepEqual(r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).messageId), ['x-0', 'x-1', 'x-2']);
});

// ---- retention ----

/** An LLM call riding on an event (SPEC §4.1). */
const llmEvent = (id, ts, extra = {}) => ({ messageId: id, event: 'llm_call', userId: 'llm-user', timestamp: ts,
  model: 'gpt-4o', provider: 'openai', inputTokens: 100, outputTokens: 50, ...extra });

/** The start of ms's hour (0), UTC day (1) or week from Monday (2): the rollup buckets. */
function bucketOf(ms, grain) {
  const day = ms - (ms % DAY);
  if (grain === 0) return ms - (ms % HOUR);
  if (grain === 1) return day;
  return day - (((day / DAY) + 3) % 7) * DAY;    // 1970-01-01 was a Thursday
}

/** The cutoff tallyctl prune printed for a project ("… older than ISO"). */
function printedCutoff(stdout, slug) {
  const m = new RegExp(`^${slug}: .* older than (\\S+)$`, 'm').exec(stdout);
  assert.ok(m, `no cutoff for ${slug} in:\n${stdout}`);
  return Date.parse(m[1]);
}

/** The per-table counts of one project's block in prune's output. */
function printedCounts(stdout, slug) {
  const block = stdout.split(/\n(?=\S)/).find((b) => b.startsWith(`${slug}:`));
  assert.ok(block, `no block for ${slug} in:\n${stdout}`);
  return Object.fromEntries([...block.matchAll(/^ {2}(\w+) +(\d+)/gm)].map((m) => [m[1], Number(m[2])]));
}

test('tallyctl project set --retention-days: values and errors', async () => {
  assert.equal((await ctl('project', 'set', 'life-a', '--retention-days', '-3')).code, 2);
  assert.equal((await ctl('project', 'set', 'life-a', '--retention-days', 'abc')).code, 2);
  assert.equal((await ctl('project', 'set', 'life-a')).code, 2);
  assert.equal((await ctl('project', 'set', 'no-such-project', '--retention-days', '3')).code, 1);
  assert.match((await ctl('project', 'set', 'life-a', '--retention-days', '0')).stdout, /retention +forever/);
  assert.match((await ctl('project', 'set', 'life-a', '--retention-days=default')).stdout, /retention +server default/);
  assert.equal((await ctl('prune')).code, 2);
  assert.equal((await ctl('prune', 'life-a', '--all')).code, 2);
  assert.equal((await ctl('prune', 'life-a', '--before', '2999-01-01')).code, 2, 'a cutoff in the future');
});

test('prune: what is older than the retention goes, raw rows and whole rollup buckets; other projects keep theirs', async (t) => {
  const p = await stack.tenant('life-prune');     // retention 30 days
  const k = await stack.tenant('life-keep');      // retention 0: forever
  const d = await stack.tenant('life-dflt');      // none set: the server's retention_days
  const now = Date.now();
  const old = now - 45 * DAY;
  const recent = now - DAY;
  const evs = [];
  for (let i = 0; i < 50; i++) evs.push({ messageId: `old-${i}`, event: 'view', userId: `pu${i % 5}`, timestamp: old + i * MIN });
  for (let i = 0; i < 20; i++) evs.push({ messageId: `new-${i}`, event: 'view', userId: `pu${i % 5}`, timestamp: recent + i * MIN });
  evs.push(llmEvent('llm-old-1', old, { traceId: 'tr-old', spanId: 's1', conversationId: 'conv-old', turnId: 'turn-old-1' }));
  evs.push(llmEvent('llm-old-2', old + MIN, { traceId: 'tr-old', spanId: 's2', conversationId: 'conv-old', turnId: 'turn-old-2' }));
  evs.push(llmEvent('llm-new-1', recent, { traceId: 'tr-new', spanId: 's1', conversationId: 'conv-new', turnId: 'turn-new-1' }));
  // a trace across the cutoff: its old span goes, the trace and its totals stay
  evs.push(llmEvent('llm-span-1', old, { traceId: 'tr-span', spanId: 's1' }));
  evs.push(llmEvent('llm-span-2', recent, { traceId: 'tr-span', spanId: 's2' }));
  await ingest(p, evs);
  for (const [traceId, ts] of [['tr-old', old], ['tr-new', recent]]) {
    const res = await stack.post('/api/v1/vote', { traceId, value: 1, userId: 'llm-user', timestamp: ts }, { key: p.ingest });
    expectStatus(stack, res, 202);
  }
  const keepOld = Array.from({ length: 10 }, (_, i) => ({ messageId: `k-${i}`, event: 'view', userId: 'k', timestamp: old + i }));
  await ingest(k, keepOld);
  await ingest(d, keepOld);

  // rollups of times around the cutoff the prune will use (now - 30 d): planted directly
  const approx = now - 30 * DAY;
  const planted = [];
  if (hasSqlite) {
    const rows = [];
    for (const grain of [0, 1, 2]) {
      for (const k2 of [-2, -1, 0, 1]) {
        const bucket = bucketOf(approx, grain) + k2 * GRAIN_MS[grain];
        planted.push({ grain, bucket });
        rows.push(`(${p.id}, ${grain}, 'test', 'e', ${bucket}, 'v', 1, x'', x'')`);
      }
    }
    await sql(`INSERT INTO event_rollup(project_id, grain, dim, event, bucket, value, events, users, sessions) VALUES ${rows.join(',')}`);
    const monday = bucketOf(approx, 2);
    await sql(`INSERT INTO user_weeks(project_id, user_key, week) VALUES (${p.id}, 'uw-old', ${monday - 2 * WEEK}),
      (${p.id}, 'uw-old', ${monday - WEEK}), (${p.id}, 'pf-stays', ${monday + 2 * WEEK}), (${p.id}, 'uw-new', ${monday + WEEK})`);
    await sql(`INSERT INTO user_first(project_id, user_key, first_ts) VALUES (${p.id}, 'pf-gone', ${old}),
      (${p.id}, 'pf-stays', ${old}), (${p.id}, 'pf-new', ${recent})`);
    await sql(`INSERT INTO insights(project_id, kind, subject, period_start, period_end, created_at, title, data) VALUES
      (${p.id}, 'summary', 'old', ${old}, ${old + DAY}, ${old + DAY}, 'old', '{}'),
      (${p.id}, 'summary', 'new', ${recent}, ${recent + HOUR}, ${recent + HOUR}, 'new', '{}')`);
  }
  assert.match((await ctl('project', 'set', 'life-prune', '--retention-days', '30')).stdout, /30 days/);
  assert.match((await ctl('project', 'set', 'life-keep', '--retention-days', '0')).stdout, /forever/);

  // dry run: counts, deletes nothing
  const dry = await ctl('prune', 'life-prune', '--dry-run');
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /life-prune: retention 30 days: would delete what is older than /);
  const would = printedCounts(dry.stdout, 'life-prune');
  assert.equal(would.events, 53, 'fifty old events and three old LLM calls');
  assert.equal(would.spans, 3);
  assert.equal(would.traces, 1);
  assert.equal(would.votes, 1);
  assert.equal(would.conversations, 1);
  assert.equal(would.conversation_turns, 2);
  assert.equal((await exportNdjson(p)).length, 75, 'a dry run deletes nothing');

  const othersBefore = (await exportNdjson(a)).length;
  const res = await ctl('prune', '--all');
  assert.equal(res.code, 0, res.stderr);
  const cutoff = printedCutoff(res.stdout, 'life-prune');
  assert.ok(Math.abs(cutoff - approx) < 5 * MIN);
  const done = printedCounts(res.stdout, 'life-prune');
  for (const table of ['events', 'spans', 'traces', 'votes', 'conversations', 'conversation_turns']) {
    assert.equal(done[table], would[table], `${table}: deleted what the dry run announced`);
  }
  assert.match(res.stdout, /life-keep: retention 0 days: kept forever/);
  assert.match(res.stdout, /life-dflt: retention 0 days \(server setting\): kept forever/);
  assert.match(res.stdout, /total +\d+ rows in [\d.]+ s/);

  // the old rows are gone from every read, the new ones stay
  const left = (await exportNdjson(p)).map((e) => e.messageId);
  assert.deepEqual(left.filter((id) => /old/.test(id) || id === 'llm-span-1'), []);
  assert.equal(left.filter((id) => id.startsWith('new-')).length, 20);
  assert.ok(left.includes('llm-new-1') && left.includes('llm-span-2'));
  assert.deepEqual((await stack.allEvents(p.secret)).map((e) => e.messageId).sort(), [...left].sort());
  expectStatus(stack, await stack.get('/api/v1/traces/tr-old', { key: p.secret }), 404);
  const span = await stack.get('/api/v1/traces/tr-span', { key: p.secret });
  expectStatus(stack, span, 200);
  assert.equal(span.text.match(/"spanId"/g).length, 1, 'the old span of a live trace is gone');
  assert.equal(span.body.data.spanCount, 2, 'its totals stay as they were');
  assert.equal(span.body.data.inputTokens, 200);
  assert.equal((await exportNdjson(k)).length, 10, 'retention 0 keeps everything');
  assert.equal((await exportNdjson(d)).length, 10, 'the server setting 0 keeps everything');
  assert.equal((await exportNdjson(a)).length, othersBefore, 'another project is untouched');

  // the server's retention_days applies to a project without its own
  const viaServer = await ctl('--retention-days', '30', 'prune', 'life-dflt');
  assert.match(viaServer.stdout, /life-dflt: retention 30 days \(server setting\): deleting/);
  assert.equal(printedCounts(viaServer.stdout, 'life-dflt').events, 10);
  assert.equal((await exportNdjson(d)).length, 0);
  assert.equal((await exportNdjson(k)).length, 10);

  if (!hasSqlite) {
    t.diagnostic('sqlite3 shell not installed: rollup rows not checked');
    return;
  }
  // LLM rollups: no bucket wholly before the cutoff is left; the recent ones are there
  const llm = (await sql(`SELECT grain, bucket FROM llm_rollup WHERE project_id = ${p.id}`))
    .split('\n').filter(Boolean).map((l) => l.split('|').map(Number));
  assert.ok(llm.length > 0);
  for (const [grain, bucket] of llm) assert.ok(bucket + GRAIN_MS[grain] > cutoff, `llm_rollup ${grain}/${bucket} left`);
  assert.ok(llm.some(([g, bkt]) => g === 0 && bkt <= recent && recent < bkt + HOUR));
  assert.equal(await sql(`SELECT count(*) FROM spans WHERE project_id = ${p.id} AND start_ts < ${cutoff}`), '0');
  assert.equal(await sql(`SELECT count(*) FROM conversation_turns WHERE project_id = ${p.id} AND conversation_id = 'conv-old'`), '0');
  assert.equal(await sql(`SELECT count(*) FROM conversation_turns WHERE project_id = ${p.id} AND conversation_id = 'conv-new'`), '1');
  // event rollups: a bucket goes only when it ends at or before the cutoff
  const er = new Set((await sql(`SELECT grain || ':' || bucket FROM event_rollup WHERE project_id = ${p.id} AND dim = 'test'`)).split('\n'));
  for (const { grain, bucket } of planted) {
    assert.equal(er.has(`${grain}:${bucket}`), bucket + GRAIN_MS[grain] > cutoff,
      `event_rollup grain ${grain} bucket ${new Date(bucket).toISOString()} vs cutoff ${new Date(cutoff).toISOString()}`);
  }
  assert.equal(await sql(`SELECT count(*) FROM user_weeks WHERE project_id = ${p.id} AND user_key = 'uw-old'`), '0',
    'weeks wholly before the cutoff');
  assert.equal(await sql(`SELECT count(*) FROM user_weeks WHERE project_id = ${p.id} AND user_key IN ('uw-new', 'pf-stays')`), '2');
  assert.equal(await sql(`SELECT group_concat(user_key) FROM (SELECT user_key FROM user_first WHERE project_id = ${p.id} AND user_key LIKE 'pf-%' ORDER BY user_key)`),
    'pf-new,pf-stays', 'a user first seen before the cutoff but active since keeps that date');
  assert.equal(await sql(`SELECT group_concat(subject) FROM insights WHERE project_id = ${p.id}`), 'new');
});

test('prune and backup while ingest goes on: every request answered, every acknowledged event kept, a consistent copy', async (t) => {
  const w = await stack.tenant('life-live');
  const now = Date.now();
  const old = [];
  for (let i = 0; i < 30000; i++) {
    old.push({ messageId: `planted-${i}`, event: `ev${i % 9}`, userId: `pl${i % 700}`,
      timestamp: now - 60 * DAY + i * 57600, properties: { i } });   // 60 .. 40 days ago
  }
  await ingestMany(w, old);
  assert.match((await ctl('project', 'set', 'life-live', '--retention-days', '30')).stdout, /30 days/);

  const acked = new Set();
  const failures = [];
  let requests = 0;
  let seq = 0;
  let stop = false;
  const writer = async () => {
    while (!stop) {
      const events = [];
      for (let i = 0; i < 50; i++) events.push({ messageId: `live-${seq++}`, event: 'tick', userId: `lu${seq % 50}` });
      requests++;
      try {
        const res = await stack.post('/api/v1/events', { events }, { key: w.ingest });
        if (res.status === 202 && res.body && res.body.accepted === 50) events.forEach((e) => acked.add(e.messageId));
        else failures.push(`${res.status} ${res.text.slice(0, 200)}`);
      } catch (err) {
        failures.push(String(err));
      }
    }
  };
  const started = Date.now();
  const writers = Array.from({ length: 4 }, writer);
  await new Promise((r) => setTimeout(r, 1500));

  const backupFile = path.join(stack.varDir, 'backup.db');
  const pruning = ctl('prune', 'life-live');
  await new Promise((r) => setTimeout(r, 200));
  const ackedBeforeBackup = [...acked];
  const backing = ctl('backup', backupFile);
  let pr;
  let bk;
  try {
    [pr, bk] = await Promise.all([pruning, backing]);
    const busyFor = Date.now() - started;
    await new Promise((r) => setTimeout(r, Math.max(1500, 6000 - busyFor)));
  } finally {
    stop = true;    // a failed prune or backup must not leave the writers running
    await Promise.all(writers);
  }
  t.diagnostic(`${requests} ingest requests in ${Date.now() - started} ms; prune: ${pr.stdout.match(/total.*/)?.[0]}; ${bk.stdout.trim()}`);

  assert.deepEqual(failures, [], 'every ingest request answered 202');
  assert.ok(requests > 20, `only ${requests} requests`);
  assert.equal(pr.code, 0, pr.stderr);
  assert.equal(printedCounts(pr.stdout, 'life-live').events, 30000);
  assert.equal(bk.code, 0, bk.stderr);
  assert.match(bk.stdout, /^backup .*backup\.db: \d+ pages of \d+ bytes .* quick_check ok$/m);

  const cutoff = printedCutoff(pr.stdout, 'life-live');
  const kept = await exportNdjson(w);
  const keptIds = new Set(kept.map((e) => e.messageId));
  const lost = [...acked].filter((id) => !keptIds.has(id));
  assert.deepEqual(lost.slice(0, 10), [], `${lost.length} acknowledged events missing`);
  assert.ok(kept.every((e) => Date.parse(e.timestamp) >= cutoff), 'nothing older than the cutoff is left');
  assert.equal(kept.length, acked.size);

  // the backup: one file, intact, with everything acknowledged before it started
  assert.ok(!fs.existsSync(`${backupFile}.tmp`));
  if (hasSqlite) {
    assert.equal(await sql('PRAGMA integrity_check', backupFile), 'ok');
    assert.equal(await sql('PRAGMA journal_mode', backupFile), 'delete');
    const inBackup = new Set((await sql(`SELECT message_id FROM events WHERE project_id = ${w.id}`, backupFile)).split('\n'));
    const missing = ackedBeforeBackup.filter((id) => !inBackup.has(id));
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} events acknowledged before the backup are not in it`);
  }
  // and it opens as a tally database
  const out = path.join(stack.varDir, 'from-backup.ndjson');
  const fromBackup = await ctl('--database', backupFile, 'export', 'life-live', '--output', out);
  assert.equal(fromBackup.code, 0, fromBackup.stderr);
  assert.ok(fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).length >= ackedBeforeBackup.length);
});

test('backup refuses to replace a file unless --force', async () => {
  const file = path.join(stack.varDir, 'again.db');
  assert.equal((await ctl('backup', file)).code, 0);
  const again = await ctl('backup', file);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /exists: pass --force/);
  const forced = await ctl('backup', file, '--force');
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal((await ctl('backup')).code, 2);
  const bad = await ctl('backup', path.join(stack.varDir, 'no-such-dir', 'x.db'));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /backup failed/);
});

test('prune --all forgets failed-login runs that are over and keeps the current ones', async () => {
  const now = Date.now();
  await sql(`INSERT INTO login_failures(scope, failures, last_at) VALUES ('ip:192.0.2.1', 9, ${now - 16 * 60 * 1000}),
    ('ip:192.0.2.2', 3, ${now - 60 * 1000})`);
  const res = await ctl('prune', '--all');
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /login failures: \d+ finished runs forgotten/);
  assert.equal(await sql("SELECT scope FROM login_failures WHERE scope LIKE 'ip:192.0.2.%' ORDER BY scope"), 'ip:192.0.2.2');
  // a dry run deletes nothing
  await sql(`INSERT INTO login_failures(scope, failures, last_at) VALUES ('ip:192.0.2.3', 1, ${now - 3600 * 1000})`);
  assert.equal((await ctl('prune', '--all', '--dry-run')).code, 0);
  assert.equal(await sql("SELECT count(*) FROM login_failures WHERE scope = 'ip:192.0.2.3'"), '1');
});
