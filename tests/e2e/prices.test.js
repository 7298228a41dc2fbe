// SPEC §5.1 verified cost: the shipped price table, per-project overrides
// with tallyctl prices, CSV export and import, and repricing stored calls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, expectStatus } from './lib/stack.js';

let stack;
let a; // has its own gpt-4o price
let b; // keeps the shipped one

// Nano-dollars of 1000 input tokens (200 of them cached) and 500 output
// tokens at USD prices per million tokens: exact integers, as the server does.
const cost = (input, output, cached) => (800 * input + 200 * cached + 500 * output) * 1000;
const SHIPPED_GPT_4O = cost(2.5, 10, 1.25); // 7,250,000 nusd
const call = (traceId, extra = {}) => ({
  events: [{ traceId, spanId: 's1', provider: 'openai', model: 'gpt-4o', inputTokens: 1000,
    outputTokens: 500, cachedTokens: 200, ...extra }],
});

before(async () => {
  stack = await startStack();
  a = await stack.tenant('prices-a');
  b = await stack.tenant('prices-b');
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

async function ingest(t, body) {
  const res = await stack.post('/api/v1/events', body, { key: t.ingest });
  expectStatus(stack, res, 202);
  assert.equal(res.body.accepted, body.events.length);
}

async function trace(t, id) {
  const res = await stack.get(`/api/v1/traces/${id}`, { key: t.secret });
  expectStatus(stack, res, 200);
  return res.body.data;
}

async function costByModel(t, model) {
  const res = await stack.get('/api/v1/analytics/cost-breakdown?groupBy=model', { key: t.secret });
  expectStatus(stack, res, 200);
  return res.body.data.find((g) => g.name === model);
}

function writeTmp(name, text) {
  const file = path.join(stack.varDir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** The rows of `prices list` as objects, by column header. */
function listRows(stdout) {
  const [head, ...lines] = stdout.trim().split('\n');
  const cols = head.trim().split(/\s+/);
  return lines.map((l) => Object.fromEntries(l.trim().split(/\s+/).map((v, i) => [cols[i], v])));
}

test('prices list shows the shipped table with its date', async () => {
  const { stdout } = await stack.ctl('prices', 'list');
  const rows = listRows(stdout);
  const find = (pattern) => rows.find((r) => r.PATTERN === pattern && r.PROJECT === 'global');
  assert.deepEqual(
    (({ INPUT, OUTPUT, CACHED, FROM, SOURCE }) => ({ INPUT, OUTPUT, CACHED, FROM, SOURCE }))(find('gpt-4o*')),
    { INPUT: '2.5', OUTPUT: '10', CACHED: '1.25', FROM: '2000-01-01', SOURCE: '2025-08-15' });
  assert.equal(find('gpt-4o-mini*').INPUT, '0.15');
  for (const p of ['claude-3-5-sonnet*', 'gemini-1.5-pro*', 'mistral-large*']) {
    assert.ok(find(p), `${p} is shipped`);
  }
  assert.ok(rows.length >= 60, `${rows.length} shipped rows`);
  assert.ok(rows.every((r) => r.SOURCE === '2025-08-15'), 'every row carries the date its price was taken');
});

test('a project override prices that project\'s calls; another project keeps the shipped price', async () => {
  await stack.ctl('prices', 'set', 'openai', 'gpt-4o', '3', '12', '1.5', '--project', a.slug);
  const own = listRows((await stack.ctl('prices', 'list', '--project', a.slug)).stdout)
    .filter((r) => r.PROJECT === a.slug);
  assert.equal(own.length, 1);
  assert.deepEqual([own[0].PROVIDER, own[0].PATTERN, own[0].INPUT, own[0].OUTPUT, own[0].CACHED],
    ['openai', 'gpt-4o', '3', '12', '1.5']);

  await ingest(a, call('t1'));
  await ingest(b, call('t1'));
  const ta = await trace(a, 't1');
  assert.equal(ta.costNusd, cost(3, 12, 1.5));
  assert.equal(ta.costNusd, 8700000);
  assert.equal(ta.spans[0].priced, true);
  assert.equal(ta.spans[0].costNusd, 8700000);
  const tb = await trace(b, 't1');
  assert.equal(tb.costNusd, SHIPPED_GPT_4O);
  assert.equal(tb.spans[0].priced, true);
});

test('an unknown model keeps the client\'s estimate and is flagged unpriced', async () => {
  await ingest(a, call('t-unknown', { model: 'house-model-7', estimatedCostUsd: 0.0123 }));
  const t = await trace(a, 't-unknown');
  assert.equal(t.spans[0].priced, false);
  assert.equal(t.spans[0].costNusd, 12300000);
  assert.equal(t.spans[0].estimatedCost, 0.0123);
  assert.equal(t.costNusd, 12300000);
});

test('export then import reads back to the same table', async () => {
  // a pattern no stored call matches, so the reprice below moves only what it means to
  await stack.ctl('prices', 'set', '', 'batch-*', '0.5', '1.5', '--project', a.slug, '--from', '2025-01-01T06:30:00Z');
  await stack.ctl('prices', 'set', 'a,"b"', ' spaced* ', '1', '2', '0', '--project', a.slug, '--from', '1735689600000');
  const exported = (await stack.ctl('prices', 'export', '--project', a.slug)).stdout;
  const lines = exported.trim().split('\n');
  assert.equal(lines[0], 'provider,pattern,input_per_mtok,output_per_mtok,cached_input_per_mtok,effective_from,source_date');
  assert.equal(lines.length, 4, exported);
  assert.match(exported, /^,batch-\*,0\.5,1\.5,0\.5,2025-01-01T06:30:00\.000Z,\d{4}-\d{2}-\d{2}$/m,
    'no CACHED: the input price; the source date is the day it was set');
  assert.ok(lines.some((l) => l.startsWith('"a,""b"""," spaced* ",1,2,0,2025-01-01,')), exported);

  // into a project with nothing of its own: the same rows
  await stack.project('prices-c');
  const file = writeTmp('a.csv', exported);
  const imported = await ctl('prices', 'import', file, '--project', 'prices-c');
  assert.equal(imported.code, 0, imported.stderr);
  assert.equal((await stack.ctl('prices', 'export', '--project', 'prices-c')).stdout, exported);
  // into the same project again: nothing changes
  assert.equal((await ctl('prices', 'import', file, '--project', a.slug)).code, 0);
  assert.equal((await stack.ctl('prices', 'export', '--project', a.slug)).stdout, exported);
  // the global table exports without the projects' rows
  const global = (await stack.ctl('prices', 'export')).stdout;
  assert.ok(global.includes('\n,gpt-4o*,2.5,10,1.25,2000-01-01,2025-08-15\n'));
  assert.ok(!global.includes('batch-*'));
});

test('a bad CSV changes nothing and names the line', async () => {
  const before = (await stack.ctl('prices', 'export', '--project', a.slug)).stdout;
  const listBefore = (await stack.ctl('prices', 'list')).stdout;
  const file = writeTmp('bad.csv', [
    'provider,pattern,input_per_mtok,output_per_mtok,cached_input_per_mtok,effective_from,source_date',
    'openai,gpt-4o,9,9,9,2025-01-01,',
    'openai,gpt-4.1,1,two,1,2025-01-01,',
    'openai,o3,1,2,1,2025-02-30,',
    '',
  ].join('\n'));
  const res = await ctl('prices', 'import', file, '--project', a.slug);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /^line 3: output_per_mtok: /m);
  assert.match(res.stderr, /^line 4: effective_from: /m);
  assert.match(res.stderr, /nothing imported/);
  assert.equal((await stack.ctl('prices', 'export', '--project', a.slug)).stdout, before);
  assert.equal((await stack.ctl('prices', 'list')).stdout, listBefore);

  const headerless = await ctl('prices', 'import', writeTmp('nohead.csv', 'openai,gpt-4o,9,9,9,2025-01-01,\n'));
  assert.equal(headerless.code, 1);
  assert.match(headerless.stderr, /^line 1: expected the header/m);
});

test('reprice moves the trace cost and the cost breakdown', async () => {
  const before = await costByModel(a, 'gpt-4o');
  assert.equal(before.totalCostNusd, 8700000);
  assert.equal(before.callCount, 1);

  // same provider, pattern and day: the override row is updated in place
  await stack.ctl('prices', 'set', 'openai', 'gpt-4o', '5', '20', '2.5', '--project', a.slug);
  assert.equal((await trace(a, 't1')).costNusd, 8700000, 'stored calls keep their cost until repriced');

  const now = Date.now();
  const res = await stack.ctl('prices', 'reprice', '--from', new Date(now - 3600000).toISOString(),
    '--to', String(now + 3600000), '--project', a.slug);
  assert.match(res.stdout, /^1 calls changed$/m, 'only the gpt-4o call: the unknown model is unchanged');

  const t = await trace(a, 't1');
  assert.equal(t.costNusd, cost(5, 20, 2.5));
  assert.equal(t.costNusd, 14500000);
  assert.equal(t.spans[0].costNusd, 14500000);
  assert.equal(t.spans[0].priced, true);
  const after = await costByModel(a, 'gpt-4o');
  assert.equal(after.totalCostNusd, 14500000);
  assert.equal(after.totalCost, 0.0145);
  assert.equal(after.callCount, 1);
  assert.equal((await trace(a, 't-unknown')).costNusd, 12300000);
  // project b was not in the range's project
  assert.equal((await trace(b, 't1')).costNusd, SHIPPED_GPT_4O);
  assert.equal((await costByModel(b, 'gpt-4o')).totalCostNusd, SHIPPED_GPT_4O);
});

test('usage errors exit 2 with a reason', async () => {
  for (const args of [
    ['prices'],
    ['prices', 'frobnicate'],
    ['prices', 'set', 'openai', 'gpt-4o'],
    ['prices', 'set', 'openai', 'gpt-4o', '1e3', '2'],
    ['prices', 'delete', 'seven'],
    ['prices', 'reprice', '--from', '2025-01-01'],
    ['prices', 'reprice', '--from', 'yesterday', '--to', '2025-01-02'],
    ['prices', 'reprice', '--from', '2025-01-02', '--to', '2025-01-01'],
    ['prices', 'list', '--from', '2025-01-01'],
  ]) {
    const res = await ctl(...args);
    assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
    assert.match(res.stderr, /usage: tallyctl prices/);
  }
  const missing = await ctl('prices', 'export', '--project', 'no-such-project');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no project 'no-such-project'/);
});
