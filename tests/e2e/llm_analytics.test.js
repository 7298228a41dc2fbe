// SPEC §5: the fixed LLM dataset of fixtures/llm_dataset.js through the real
// stack, every LLM read and analytics endpoint against its hand-worked
// answers; a second project holding the same ids shows through nowhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, expectStatus } from './lib/stack.js';
import * as D from './fixtures/llm_dataset.js';

let stack;
let a;
let b;

// Percentiles come from log-scale histogram buckets: within 4.43 % (docs/architecture.md).
const HIST_ERROR = 0.0443;
const near = (got, want, what) =>
  assert.ok(Math.abs(got - want) <= want * HIST_ERROR + 1e-9, `${what}: ${got} not within 4.43 % of ${want}`);

async function load(t, calls) {
  for (const [provider, pattern, input, output, cached] of D.PRICES) {
    await stack.ctl('prices', 'set', provider, pattern, input, output, cached,
      '--project', t.slug, '--from', D.PRICES_FROM);
  }
  let res = await stack.post('/api/v1/events', { events: [...calls, ...D.EVENTS] }, { key: t.ingest });
  expectStatus(stack, res, 202);
  res = await stack.post('/api/v1/vote', D.VOTES, { key: t.ingest });
  expectStatus(stack, res, 202);
  res = await stack.post('/api/v1/traces/batch', { traces: [D.AGENT_TRACE] }, { key: t.ingest });
  expectStatus(stack, res, 202);
  res = await stack.post('/api/v1/events', { events: [D.LATE_CHILD] }, { key: t.ingest });
  expectStatus(stack, res, 202);
  res = await stack.post('/api/v1/traces/batch', { traces: [D.LATE_ROOT] }, { key: t.ingest });
  expectStatus(stack, res, 202);
}

async function read(t, path) {
  const res = await stack.get(path, { key: t.secret });
  expectStatus(stack, res, 200);
  return res.body.data;
}

before(async () => {
  stack = await startStack();
  a = await stack.tenant('llm-a');
  b = await stack.tenant('llm-b');
  await load(a, D.CALLS);
  // project b: the same trace, span, session and user ids, ten times the tokens
  await load(b, D.CALLS.map((c) => ({ ...c, inputTokens: c.inputTokens * 10, outputTokens: c.outputTokens * 10,
    latencyMs: c.latencyMs * 3 })));
});

after(async () => {
  if (stack) await stack.stop();
});

const byName = (rows, key = 'name') => Object.fromEntries(rows.map((r) => [r[key], r]));

test('cost-breakdown by feature, model and user, to the nano-dollar', async () => {
  const features = byName(await read(a, `/api/v1/analytics/cost-breakdown?${D.RANGE}`));
  assert.deepEqual(Object.keys(features).sort(), ['chat', 'search', 'summarize']);
  for (const [name, want] of Object.entries(D.EXPECTED.byFeature)) {
    const got = features[name];
    assert.equal(got.totalCostNusd, want.cost, `${name} cost`);
    assert.equal(got.totalCost, want.cost / 1e9, `${name} cost in USD`);
    assert.equal(got.callCount, want.calls, `${name} calls`);
    assert.equal(got.totalTokens, want.tokens, `${name} tokens`);
    assert.equal(got.avgLatency, want.avgLatency, `${name} average latency`);
  }
  const sum = Object.values(features).reduce((s, f) => s + f.totalCostNusd, 0);
  assert.equal(sum, D.EXPECTED.total);

  const models = byName(await read(a, `/api/v1/analytics/cost-breakdown?groupBy=model&${D.RANGE}`));
  for (const [name, want] of Object.entries(D.EXPECTED.byModel)) {
    assert.equal(models[name].totalCostNusd, want.cost, `${name} cost`);
    assert.equal(models[name].callCount, want.calls, `${name} calls`);
  }
  const users = byName(await read(a, `/api/v1/analytics/cost-breakdown?groupBy=user&${D.RANGE}`));
  for (const [name, want] of Object.entries(D.EXPECTED.byUser)) {
    assert.equal(users[name].totalCostNusd, want.cost, `${name} cost`);
    assert.equal(users[name].callCount, want.calls, `${name} calls`);
  }
});

test('a range holding whole weeks reads the week rollups to the same totals', async () => {
  // 2026-02-23 .. 2026-03-17: three whole weeks (Mondays 23 Feb, 2 and 9
  // March) between ragged ends; every call of the dataset is inside
  const q = 'from=2026-02-22T05:30:00Z&to=2026-03-17T10:00:00Z';
  const features = byName(await read(a, `/api/v1/analytics/cost-breakdown?${q}`));
  for (const [name, want] of Object.entries(D.EXPECTED.byFeature)) {
    assert.equal(features[name].totalCostNusd, want.cost, `${name} cost`);
    assert.equal(features[name].callCount, want.calls, `${name} calls`);
  }
  assert.equal(features.agent.totalCostNusd, D.EXPECTED.agent.cost);
  assert.equal(features.late.totalCostNusd, D.EXPECTED.late.cost);
  const root = await read(a, `/api/v1/analytics/flamegraph?${q}`);
  assert.equal(root.valueNusd, D.EXPECTED.total + D.EXPECTED.agent.cost + D.EXPECTED.late.cost);
  const weeks = await read(a, `/api/v1/analytics/timeseries?metric=calls&granularity=week&${q}`);
  assert.equal(weeks.reduce((n, p) => n + p.value, 0), 13, 'ten calls, two in the agent trace, one late');
  assert.equal(weeks.find((p) => p.timestamp.startsWith('2026-03-02')).value, 13);
});

test('a verified cost marks the span priced; an unknown model keeps its estimate', async () => {
  const t1 = await read(a, '/api/v1/traces/T1');
  assert.equal(t1.spans[0].priced, true);
  assert.equal(t1.spans[0].costNusd, 6000000);
  assert.equal(t1.spans[0].children[0].costNusd, 322500);
  const t7 = await read(a, '/api/v1/traces/T7');
  assert.equal(t7.spans[0].priced, false);
  assert.equal(t7.spans[0].costNusd, 12300000);
  assert.equal(t7.spans[0].estimatedCost, 0.0123);
});

test('flamegraph: project → feature → model', async () => {
  const root = await read(a, `/api/v1/analytics/flamegraph?${D.RANGE}`);
  assert.equal(root.valueNusd, D.EXPECTED.total);
  const features = byName(root.children);
  assert.deepEqual(Object.keys(features).sort(), Object.keys(D.EXPECTED.flame).sort());
  for (const [feature, models] of Object.entries(D.EXPECTED.flame)) {
    const kids = byName(features[feature].children);
    assert.deepEqual(Object.keys(kids).sort(), Object.keys(models).sort(), feature);
    for (const [model, cost] of Object.entries(models)) assert.equal(kids[model].valueNusd, cost, `${feature}/${model}`);
    assert.equal(features[feature].valueNusd, Object.values(models).reduce((s, v) => s + v, 0));
  }
});

test('flamegraph mode=spans aggregates by span-name path', async () => {
  const root = await read(a, '/api/v1/analytics/flamegraph?mode=spans&from=2026-03-05T08:00:00Z&to=2026-03-05T08:30:00Z');
  assert.equal(root.children.length, 1);
  const agent = root.children[0];
  assert.equal(agent.name, 'agent');
  const kids = byName(agent.children);
  assert.deepEqual(Object.keys(kids).sort(), ['plan', 'search-tool']);
  // a node's value includes its children's
  assert.equal(agent.valueNusd, 492000);
  assert.equal(kids.plan.valueNusd, 492000);
  assert.equal(kids.plan.children[0].name, 'refine');
  assert.equal(kids.plan.children[0].valueNusd, 42000);
  assert.equal(kids['search-tool'].valueNusd, 0);
});

test('timeseries: calls, cost, tokens and latency percentiles, zero-filled', async () => {
  const calls = await read(a, `/api/v1/analytics/timeseries?metric=calls&granularity=day&${D.RANGE}`);
  assert.deepEqual(Object.fromEntries(calls.map((p) => [p.timestamp.slice(0, 10), p.value])), D.EXPECTED.callsPerDay);

  const tokens = await read(a, `/api/v1/analytics/timeseries?metric=tokens&granularity=day&${D.RANGE}`);
  for (const [day, want] of Object.entries(D.EXPECTED.tokensPerDay)) {
    assert.equal(tokens.find((p) => p.timestamp.startsWith(day)).value, want, day);
  }

  const cost = await read(a, '/api/v1/analytics/timeseries?metric=cost&granularity=hour&from=2026-03-02T09:00:00Z&to=2026-03-02T14:00:00Z');
  assert.equal(cost.length, 5, 'hours 09..13, zero-filled');
  const hours = Object.fromEntries(cost.map((p) => [p.timestamp.slice(0, 13), p.value]));
  assert.equal(hours['2026-03-02T09'], 0);
  assert.equal(hours['2026-03-02T13'], 0);
  for (const [h, nusd] of Object.entries(D.EXPECTED.costPerHour)) assert.equal(hours[h], nusd / 1e9, h);

  for (const q of ['p50', 'p95']) {
    const lat = await read(a, `/api/v1/analytics/timeseries?metric=latency_${q}&granularity=day&${D.RANGE}`);
    for (const [day, want] of Object.entries(D.EXPECTED.latency)) {
      near(lat.find((p) => p.timestamp.startsWith(day)).value, want[q], `${day} ${q}`);
    }
    assert.equal(lat.find((p) => p.timestamp.startsWith('2026-03-01')).value, 0);
  }
  const week = await read(a, `/api/v1/analytics/timeseries?metric=calls&granularity=week&${D.RANGE}`);
  assert.equal(week.reduce((s, p) => s + p.value, 0), 10);
});

test('breakdown by feature, model, provider and user, with "other"', async () => {
  const prov = await read(a, `/api/v1/analytics/breakdown?by=provider&metric=cost&${D.RANGE}`);
  assert.deepEqual(Object.fromEntries(prov.map((r) => [r.key, Math.round(r.value * 1e9)])), D.EXPECTED.byProvider);
  const feats = await read(a, `/api/v1/analytics/breakdown?by=feature&metric=calls&${D.RANGE}`);
  assert.deepEqual(Object.fromEntries(feats.map((r) => [r.key, r.value])), { chat: 4, search: 4, summarize: 2 });
  const users = await read(a, `/api/v1/analytics/breakdown?by=user&metric=cost&limit=2&${D.RANGE}`);
  assert.deepEqual(users.map((r) => r.key), ['bob', 'alice', 'other']);
  assert.equal(Math.round(users[2].value * 1e9), D.EXPECTED.byUser.carol.cost);
  const p95 = await read(a, `/api/v1/analytics/breakdown?by=model&metric=latency_p95&${D.RANGE}`);
  // acme-large 100 300 1000 → 1000; mystery-1 700
  near(p95.find((r) => r.key === 'acme-large').value, 1000, 'acme-large p95');
  near(p95.find((r) => r.key === 'mystery-1').value, 700, 'mystery-1 p95');
});

test('prompts: bloat flags with suggestions and near-duplicate clusters', async () => {
  const p = await read(a, `/api/v1/analytics/prompts?${D.RANGE}`);
  const flagged = p.flagged.map((f) => (f.spanId === 's1' ? f.traceId : `${f.traceId}/${f.spanId}`));
  const bloated = p.flagged.filter((f) => f.reasons.includes('input_above_2x_median'));
  assert.deepEqual(bloated.map((f) => f.traceId), D.EXPECTED.bloated);
  near(bloated[0].medianInputTokens, 1000, 'search/acme-small median');
  const ratio = p.flagged.filter((f) => f.reasons.includes('input_output_ratio_above_10'));
  assert.deepEqual(ratio.map((f) => (f.spanId === 's1' ? f.traceId : `${f.traceId}/${f.spanId}`)).sort(),
    D.EXPECTED.ratioFlagged);
  assert.deepEqual([...new Set(flagged)].sort(), D.EXPECTED.ratioFlagged);
  for (const f of p.flagged) assert.ok(f.suggestions.length > 0 && f.suggestions.every((s) => s.length > 20));
  assert.equal(p.clusters.length, 1);
  assert.deepEqual(p.clusters[0].members.map((c) => c.traceId).sort(), D.EXPECTED.cluster);
  assert.equal(p.similarity.maxHammingDistance, 10);
});

test('trust score: the §5.3 formula to 1e-9, per user, with the 7-day trend', async () => {
  const q = 'from=2026-02-01T00:00:00Z&to=2026-03-04T12:00:00Z';
  const t = await read(a, `/api/v1/analytics/trust-score?${q}`);
  assert.ok(Math.abs(t.trustScore - D.EXPECTED.trust.all) < 1e-9, `${t.trustScore}`);
  assert.equal(t.votes, 4);
  assert.equal(t.up, 3);
  assert.equal(t.down, 1);
  assert.ok(Math.abs(t.trend7d.previous - D.EXPECTED.trust.previous) < 1e-9);
  assert.equal(t.trend7d.direction, 'down');
  const users = byName(t.users, 'userId');
  for (const u of ['alice', 'bob', 'carol']) {
    assert.ok(Math.abs(users[u].trustScore - D.EXPECTED.trust[u]) < 1e-9, `${u}: ${users[u].trustScore}`);
  }
  const bob = await read(a, `/api/v1/analytics/trust-score?userId=bob&${q}`);
  assert.ok(Math.abs(bob.trustScore - D.EXPECTED.trust.bob) < 1e-9);
  assert.equal(bob.votes, 1);
});

test('conversations: turns, calls, votes, models and cost', async () => {
  const convs = byName(await read(a, `/api/v1/analytics/conversations?${D.RANGE}`), 'conversationId');
  for (const [id, want] of Object.entries(D.EXPECTED.conversations)) {
    const got = convs[id];
    assert.ok(got, id);
    assert.equal(got.userId, want.userId);
    assert.equal(got.turns, want.turns, `${id} turns`);
    assert.equal(got.calls, want.calls, `${id} calls`);
    assert.equal(got.costNusd, want.cost, `${id} cost`);
    assert.equal(got.votesUp, want.up, `${id} up`);
    assert.equal(got.votesDown, want.down, `${id} down`);
    assert.deepEqual(got.models, want.models);
    assert.equal(got.firstTime, want.first);
    assert.equal(got.lastTime, want.last);
  }
  const alice = await read(a, `/api/v1/analytics/conversations?userId=alice&${D.RANGE}`);
  assert.deepEqual(alice.map((c) => c.conversationId), ['conv-a']);
});

test('traces: the span tree with totals, late parents included', async () => {
  const t = await read(a, '/api/v1/traces/T10');
  const want = D.EXPECTED.agent;
  assert.equal(t.spanCount, want.spans);
  assert.equal(t.callCount, want.calls);
  assert.equal(t.costNusd, want.cost);
  assert.equal(t.inputTokens, want.input);
  assert.equal(t.outputTokens, want.output);
  assert.equal(t.latencyMs, want.latencyMs);
  assert.equal(t.spans.length, 1);
  const root = t.spans[0];
  assert.equal(root.spanId, 'root');
  assert.deepEqual(root.children.map((s) => s.spanId).sort(), ['plan', 'tool']);
  const plan = root.children.find((s) => s.spanId === 'plan');
  assert.deepEqual(plan.children.map((s) => s.spanId), ['refine']);

  const late = await read(a, '/api/v1/traces/T11');
  assert.equal(late.name, 'late-root');
  assert.equal(late.spanCount, D.EXPECTED.late.spans);
  assert.equal(late.costNusd, D.EXPECTED.late.cost);
  assert.equal(late.latencyMs, D.EXPECTED.late.latencyMs);
  assert.equal(late.spans.length, 1);
  assert.equal(late.spans[0].children[0].spanId, 'kid');
});

test('traces list: filters and cursor', async () => {
  const all = await read(a, `/api/v1/traces?${D.RANGE}`);
  assert.equal(all.length, 9, 'T1..T9');
  const bobs = await read(a, `/api/v1/traces?userId=bob&${D.RANGE}`);
  assert.deepEqual(bobs.map((t) => t.traceId), ['T9', 'T7', 'T3', 'T2']);
  const errs = await read(a, `/api/v1/traces?status=error&${D.RANGE}`);
  assert.deepEqual(errs.map((t) => t.traceId), ['T8']);
  const sess = await read(a, `/api/v1/traces?sessionId=conv-a&${D.RANGE}`);
  assert.deepEqual(sess.map((t) => t.traceId), ['T8', 'T6', 'T1']);
  const seen = [];
  let cursor = '';
  for (let i = 0; i < 10; i++) {
    const res = await stack.get(`/api/v1/traces?limit=4&${D.RANGE}${cursor}`, { key: a.secret });
    expectStatus(stack, res, 200);
    seen.push(...res.body.data.map((t) => t.traceId));
    if (!res.body.next_cursor) break;
    cursor = `&cursor=${encodeURIComponent(res.body.next_cursor)}`;
  }
  assert.deepEqual(seen, all.map((t) => t.traceId));
});

test('sessions: traces, events and votes in time order', async () => {
  const s = await read(a, '/api/v1/sessions/conv-a');
  const items = s.items.map((i) => `${i.kind}:${i.traceId || i.event || ''}`);
  assert.deepEqual(items, ['vote:T6', 'event:page_view', 'trace:T1', 'trace:T6', 'trace:T8', 'vote:T1']);
  assert.equal(s.costNusd, D.EXPECTED.conversations['conv-a'].cost);
});

test('tenant isolation: the other project\'s identical ids never show', async () => {
  // b holds the same ids with ten times the tokens: a's answers above hold,
  // and b sees its own numbers
  const bt = await read(b, '/api/v1/traces/T1');
  assert.equal(bt.inputTokens, 30000);
  const at = await read(a, '/api/v1/traces/T1');
  assert.equal(at.inputTokens, 3000);
  const bConv = byName(await read(b, `/api/v1/analytics/conversations?${D.RANGE}`), 'conversationId');
  assert.equal(bConv['conv-a'].calls, 4);
  assert.notEqual(bConv['conv-a'].costNusd, D.EXPECTED.conversations['conv-a'].cost);
  const bCost = byName(await read(b, `/api/v1/analytics/cost-breakdown?${D.RANGE}`));
  assert.equal(bCost.chat.totalTokens, 60000);
  // a project that has nothing sees nothing anywhere
  const c = await stack.tenant('llm-empty');
  assert.deepEqual(await read(c, `/api/v1/traces?${D.RANGE}`), []);
  for (const id of ['T1', 'T10']) {
    const res = await stack.get(`/api/v1/traces/${id}`, { key: c.secret });
    assert.equal(res.status, 404);
  }
  assert.equal((await stack.get('/api/v1/sessions/conv-a', { key: c.secret })).status, 404);
  assert.deepEqual(await read(c, `/api/v1/analytics/cost-breakdown?${D.RANGE}`), []);
  assert.equal((await read(c, `/api/v1/analytics/flamegraph?${D.RANGE}`)).valueNusd, 0);
  assert.equal((await read(c, `/api/v1/analytics/timeseries?metric=calls&granularity=day&${D.RANGE}`))
    .reduce((s, p) => s + p.value, 0), 0);
  assert.deepEqual(await read(c, `/api/v1/analytics/breakdown?by=user&metric=cost&${D.RANGE}`), []);
  const prompts = await read(c, `/api/v1/analytics/prompts?${D.RANGE}`);
  assert.deepEqual([prompts.flagged, prompts.clusters], [[], []]);
  const trust = await read(c, '/api/v1/analytics/trust-score?from=2026-02-01T00:00:00Z&to=2026-03-04T12:00:00Z');
  assert.deepEqual([trust.votes, trust.trustScore, trust.users], [0, 0.5, []]);
  assert.deepEqual(await read(c, `/api/v1/analytics/conversations?${D.RANGE}`), []);
  assert.deepEqual(await read(c, '/api/v1/analytics/flamegraph?mode=spans&from=2026-03-05T00:00:00Z&to=2026-03-06T00:00:00Z')
    .then((r) => r.children ?? []), []);
  const rt = await read(c, '/api/v1/analytics/realtime');
  assert.equal(rt.calls, 0);
  // an ingest key reads nothing
  const res = await stack.get('/api/v1/traces/T1', { key: a.ingest });
  assert.equal(res.status, 403);
});

test('a vote replayed with its messageId is stored once', async () => {
  const t = await stack.tenant('llm-votes');
  const vote = { value: 1, turnId: 'turn-1', userId: 'u1', messageId: 'vote-msg-1' };
  let res = await stack.post('/api/v1/vote', vote, { key: t.ingest });
  expectStatus(stack, res, 202);
  assert.deepEqual([res.body.accepted, res.body.duplicates], [1, 0]);
  res = await stack.post('/api/v1/vote', [vote, { ...vote, messageId: 'vote-msg-2' }], { key: t.ingest });
  expectStatus(stack, res, 202);
  assert.deepEqual([res.body.accepted, res.body.duplicates], [1, 1]);
  const trust = await read(t, '/api/v1/analytics/trust-score');
  assert.equal(trust.votes, 2);
  // the same messageId in another project is that project's own
  const other = await stack.tenant('llm-votes-2');
  res = await stack.post('/api/v1/vote', vote, { key: other.ingest });
  assert.deepEqual([res.body.accepted, res.body.duplicates], [1, 0]);
});

test('realtime: the last five minutes', async () => {
  const t = await stack.tenant('llm-live');
  await stack.ctl('prices', 'set', 'acme', 'acme-large', '3', '15', '0.30', '--project', t.slug, '--from', D.PRICES_FROM);
  const res = await stack.post('/api/v1/events', { events: [
    { traceId: 'live-1', spanId: 's1', provider: 'acme', model: 'acme-large', userId: 'u1', inputTokens: 1000, outputTokens: 200 },
    { traceId: 'live-2', spanId: 's1', provider: 'acme', model: 'acme-large', userId: 'u2', inputTokens: 1000, outputTokens: 200 },
    { event: 'page_view', userId: 'u3' },
  ] }, { key: t.ingest });
  expectStatus(stack, res, 202);
  const rt = await read(t, '/api/v1/analytics/realtime');
  assert.equal(rt.calls, 2);
  assert.equal(rt.costNusd, 12000000);
  assert.equal(rt.activeUsers, 3);
  assert.equal(rt.windowMinutes, 5);
});
