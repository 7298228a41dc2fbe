// SPEC §5.3 funnel and retention: the fixed dataset of
// fixtures/funnel_dataset.js through the real stack, against its hand-worked
// answers; another tenant with the same ids sees only its own; the request
// checks answer 400.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, expectStatus, expectError } from './lib/stack.js';
import * as D from './fixtures/funnel_dataset.js';

let stack;
let a;          // the funnel dataset
let b;          // the same user ids and names, fewer events
let r;          // the retention dataset
let empty;      // nothing at all
let bd;         // the breakdown dataset
let bdOther;    // the same users and times, other values

const close = (got, want, what) => assert.ok(Math.abs(got - want) < 1e-12, `${what}: ${got} != ${want}`);

function sameSteps(got, want) {
  assert.equal(got.length, want.length, 'step count');
  want.forEach((w, i) => {
    const g = got[i];
    assert.deepEqual(Object.keys(g).sort(), ['conversion', 'count', 'median_time_to_convert_ms', 'name', 'step_conversion']);
    assert.equal(g.name, w.name, `step ${i + 1} name`);
    assert.equal(g.count, w.count, `${w.name} count`);
    close(g.conversion, w.conversion, `${w.name} conversion`);
    close(g.step_conversion, w.step_conversion, `${w.name} step_conversion`);
    assert.equal(g.median_time_to_convert_ms, w.median_time_to_convert_ms, `${w.name} median time`);
  });
}

async function post(t, events) {
  const res = await stack.post('/api/v1/events', { events }, { key: t.ingest });
  expectStatus(stack, res, 202);
  assert.equal(res.body.accepted, events.length);
}

async function read(t, path) {
  const res = await stack.get(path, { key: t.secret });
  expectStatus(stack, res, 200);
  assert.deepEqual(Object.keys(res.body), ['data']);
  return res.body.data;
}

const funnel = (t, q) => read(t, `/api/v1/analytics/funnel?${q}`);
const counts = (data) => data.steps.map((s) => s.count);

before(async () => {
  stack = await startStack();
  a = await stack.tenant('funnel-a');
  b = await stack.tenant('funnel-b');
  r = await stack.tenant('retention-r');
  empty = await stack.tenant('funnel-empty');
  bd = await stack.tenant('funnel-bd');
  bdOther = await stack.tenant('funnel-bd-other');
  await post(a, D.FUNNEL_EVENTS);
  await post(b, D.OTHER_EVENTS);
  await post(r, D.RETENTION_EVENTS);
  await post(bd, D.BREAKDOWN_EVENTS);
  await post(bdOther, D.BREAKDOWN_OTHER_EVENTS);
});

after(async () => {
  if (stack) await stack.stop();
});

test('a three-step funnel: counts, conversion, step conversion, median times', async () => {
  const data = await funnel(a, `steps=${D.STEPS}&${D.FUNNEL_RANGE}`);
  assert.deepEqual(Object.keys(data).sort(), ['from', 'steps', 'to', 'window_ms']);
  assert.equal(data.window_ms, D.DAY, 'the default window is 1 d');
  assert.equal(data.from, D.iso(D.BASE));
  assert.equal(data.to, D.iso(D.BASE + D.WEEK));
  sameSteps(data.steps, D.FUNNEL);
});

test('step_conversion divides by the previous step, conversion by the first', async () => {
  const [s1, s2, s3] = (await funnel(a, `steps=${D.STEPS}&${D.FUNNEL_RANGE}`)).steps;
  close(s3.conversion, s3.count / s1.count, 'conversion');
  close(s3.step_conversion, s3.count / s2.count, 'step_conversion');
  assert.notEqual(s3.conversion, s3.step_conversion);
});

test('the window: given as 1h, 86400 seconds, 1d; its last millisecond counts', async () => {
  assert.deepEqual(counts(await funnel(a, `steps=${D.STEPS}&window=1h&${D.FUNNEL_RANGE}`)), D.FUNNEL_1H);
  const secs = await funnel(a, `steps=${D.STEPS}&window=86400&${D.FUNNEL_RANGE}`);
  assert.equal(secs.window_ms, D.DAY);
  sameSteps(secs.steps, D.FUNNEL);
  // sess-6 activates at exactly 1 d (counted), u7 at 1 d + 1 ms (not): a
  // window 1 s longer takes u7 too
  const longer = await funnel(a, `steps=signup,activate&window=86401&${D.FUNNEL_RANGE}`);
  assert.deepEqual(counts(longer), [9, 7]);
  const oneDay = await funnel(a, `steps=signup,activate&window=1d&${D.FUNNEL_RANGE}`);
  assert.deepEqual(counts(oneDay), [9, 6]);
});

test('out of order does not count; repeats of step 1 count once; ids by anonymousId or sessionId', async () => {
  // u4 did activate, then signup, then purchase: signup → purchase is theirs, signup → activate is not
  const u4only = `from=${D.iso(D.BASE + D.DAY + 10 * D.HOUR + 5 * D.MIN)}&to=${D.iso(D.BASE + D.DAY + 10 * D.HOUR + 6 * D.MIN)}`;
  assert.deepEqual(counts(await funnel(a, `steps=signup,activate&${u4only}`)), [1, 0]);
  assert.deepEqual(counts(await funnel(a, `steps=signup,purchase&${u4only}`)), [1, 1]);
  // activate → signup: activates in W0 by u1 u2 u4 anon-5 sess-6 u7 u8 (u11's
  // is after `to`); only u4 signs up after activating
  assert.deepEqual(counts(await funnel(a, `steps=activate,signup&window=1h&${D.FUNNEL_RANGE}`)), [7, 1]);
  // u8 signed up twice (D and D + 2 d): one entry, and it completes from the second
  const u8 = await funnel(a, `steps=${D.STEPS}&from=${D.iso(D.BASE + 3 * D.DAY)}&to=${D.iso(D.BASE + 4 * D.DAY)}`);
  assert.deepEqual(counts(u8), [1, 1, 1]);
  assert.equal(u8.steps[2].median_time_to_convert_ms, 2 * D.HOUR);
});

test('"$pageview" as a step', async () => {
  const data = await funnel(a, `steps=$pageview,signup&${D.FUNNEL_RANGE}`);
  sameSteps(data.steps, D.PAGEVIEW);
  // the same, percent-encoded, and as repeated steps parameters
  sameSteps((await funnel(a, `steps=%24pageview%2Csignup&${D.FUNNEL_RANGE}`)).steps, D.PAGEVIEW);
  sameSteps((await funnel(a, `steps=%24pageview&steps=signup&${D.FUNNEL_RANGE}`)).steps, D.PAGEVIEW);
  // repeated, nothing is split: "activate,purchase" is one (unknown) name
  const whole = await funnel(a, `steps=signup&steps=activate,purchase&${D.FUNNEL_RANGE}`);
  assert.deepEqual(whole.steps.map((s) => [s.name, s.count]), [['signup', 9], ['activate,purchase', 0]]);
});

test('a funnel nobody entered: zeros, no division by zero', async () => {
  const data = await funnel(a, `steps=never,signup,activate&${D.FUNNEL_RANGE}`);
  assert.deepEqual(data.steps.map((s) => [s.name, s.count, s.conversion, s.step_conversion, s.median_time_to_convert_ms]),
    [['never', 0, 0, 0, null], ['signup', 0, 0, 0, null], ['activate', 0, 0, 0, null]]);
  // steps after the first with nobody: 0, not NaN
  const noneLater = await funnel(a, `steps=signup,never&${D.FUNNEL_RANGE}`);
  assert.deepEqual(noneLater.steps.map((s) => [s.count, s.conversion, s.step_conversion]), [[9, 1, 1], [0, 0, 0]]);
});

test('a range before the data and the default range (the last 7 days) find nothing', async () => {
  const old = await funnel(a, `steps=${D.STEPS}&from=2020-01-01&to=2020-02-01`);
  assert.deepEqual(counts(old), [0, 0, 0]);
  const recent = await funnel(a, `steps=${D.STEPS}`);
  assert.deepEqual(counts(recent), [0, 0, 0], 'every entry is 2 weeks old or more');
  assert.ok(Date.parse(recent.to) - Date.parse(recent.from) === D.WEEK);
});

test('tenant isolation: the same ids in another project count only there; an empty project sees zeros', async () => {
  assert.deepEqual(counts(await funnel(b, `steps=${D.STEPS}&${D.FUNNEL_RANGE}`)), D.OTHER_FUNNEL);
  assert.deepEqual(counts(await funnel(empty, `steps=${D.STEPS}&${D.FUNNEL_RANGE}`)), [0, 0, 0]);
  // and a's answer did not move
  sameSteps((await funnel(a, `steps=${D.STEPS}&${D.FUNNEL_RANGE}`)).steps, D.FUNNEL);
  // retention: b's users (u1, u2 first seen in W0) are b's alone
  const cohorts = (await read(b, `/api/v1/analytics/retention?${D.RETENTION_RANGE}`)).cohorts;
  assert.deepEqual(cohorts.map((c) => [c.week, c.users]), [[D.iso(D.BASE), 2]]);
  assert.deepEqual((await read(empty, `/api/v1/analytics/retention?${D.RETENTION_RANGE}`)).cohorts, []);
});

test('retention: weekly cohorts by first seen, hand-computed shares', async () => {
  const data = await read(r, `/api/v1/analytics/retention?${D.RETENTION_RANGE}`);
  assert.deepEqual(Object.keys(data).sort(), ['cohorts', 'from', 'to', 'weeks']);
  assert.equal(data.weeks, 2, 'by default every week up to the one holding to');
  assert.deepEqual(data.cohorts, D.RETENTION);
});

test('retention: weeks=N cuts the offsets; the current week shows, zero-filled', async () => {
  const one = await read(r, `/api/v1/analytics/retention?${D.RETENTION_RANGE}&weeks=1`);
  assert.equal(one.weeks, 1);
  assert.deepEqual(one.cohorts.map((c) => c.retained.length), [2, 2, 1]);
  assert.deepEqual(one.cohorts[0].retained, D.RETENTION[0].retained.slice(0, 2));
  const zero = await read(r, `/api/v1/analytics/retention?${D.RETENTION_RANGE}&weeks=0`);
  assert.deepEqual(zero.cohorts.map((c) => c.retained.map((x) => [x.users, x.share])), [[[4, 1]], [[2, 1]], [[1, 1]]]);
  // up to now: W3 has begun and nobody of the dataset came back in it
  const now = await read(r, `/api/v1/analytics/retention?from=${D.iso(D.BASE)}`);
  assert.equal(now.weeks, 3);
  assert.deepEqual(now.cohorts.map((c) => c.retained.map((x) => x.users)), [[4, 2, 2, 0], [2, 1, 0], [1, 0]]);
  assert.equal(now.cohorts[0].retained[3].share, 0);
  assert.equal(now.cohorts[0].retained[3].week, D.iso(D.BASE + 3 * D.WEEK));
  // a range starting mid-week holds the users first seen from then on
  const mid = await read(r, `/api/v1/analytics/retention?from=${D.iso(D.BASE + D.DAY)}&to=${D.iso(D.BASE + 3 * D.WEEK)}`);
  assert.deepEqual(mid.cohorts.map((c) => [c.week, c.users]),
    [[D.iso(D.BASE), 3], [D.iso(D.BASE + D.WEEK), 2], [D.iso(D.BASE + 2 * D.WEEK), 1]], 'r1 came on Monday 00:00');
});

// ---- the breakdown ----

const bdFunnel = (t, q) => funnel(t, `steps=${D.STEPS}&${D.BREAKDOWN_RANGE}&${q}`);

// groups as [value, counts, medians], each checked for its conversions
function groupsOf(data) {
  const groups = data.breakdown.groups;
  for (const g of groups) {
    const [first, second] = [g.steps[0].count, g.steps[1].count];
    close(g.steps[1].conversion, first ? second / first : 0, `${g.value} conversion`);
    close(g.steps[2].step_conversion, second ? g.steps[2].count / second : 0, `${g.value} step_conversion`);
    assert.deepEqual(g.steps.map((s) => s.name), D.STEPS.split(','));
  }
  return groups.map((g) => [g.value, g.steps.map((s) => s.count), g.steps.map((s) => s.median_time_to_convert_ms)]);
}

// every step's counts over the groups add up to the overall ones
function addsUp(data) {
  data.steps.forEach((s, k) => {
    const sum = data.breakdown.groups.reduce((acc, g) => acc + g.steps[k].count, 0);
    assert.equal(sum, s.count, `step ${k + 1}: the groups add up`);
  });
}

test('breakdown by properties.plan: the entry event\'s value, "(none)" when absent or not a scalar', async () => {
  const data = await bdFunnel(bd, 'breakdown=properties.plan');
  assert.deepEqual(Object.keys(data).sort(), ['breakdown', 'from', 'steps', 'to', 'window_ms']);
  assert.deepEqual(counts(data), D.BREAKDOWN_TOTAL, 'the overall steps as without a breakdown');
  assert.deepEqual(counts(await bdFunnel(bd, '')), D.BREAKDOWN_TOTAL);
  assert.deepEqual(Object.keys(data.breakdown).sort(), ['by', 'groups']);
  assert.equal(data.breakdown.by, 'properties.plan');
  for (const g of data.breakdown.groups) assert.deepEqual(Object.keys(g).sort(), ['steps', 'value']);
  // b1's activate says team, b8's first signup says team: both count under pro
  assert.deepEqual(groupsOf(data), D.BY_PLAN);
  addsUp(data);
  assert.ok(!JSON.stringify(data).includes('x'.repeat(101)), 'a value over 100 bytes is no value');
});

test('breakdown limit: the rest folds into "other", sums with conversions recomputed, no median', async () => {
  const one = await bdFunnel(bd, 'breakdown=properties.plan&limit=1');
  assert.equal(one.breakdown.groups.length, 2);
  assert.deepEqual(groupsOf(one), [
    D.BY_PLAN[0],
    ['other', [6, 5, 2], [null, null, null]],           // pro + free + team
  ]);
  const other = one.breakdown.groups[1];
  assert.equal(other.groups, 3, 'how many values it holds');
  close(other.steps[1].conversion, 5 / 6, 'other conversion');
  close(other.steps[2].step_conversion, 2 / 5, 'other step_conversion');
  addsUp(one);
  const two = await bdFunnel(bd, 'breakdown=properties.plan&limit=2');
  assert.deepEqual(groupsOf(two), [D.BY_PLAN[0], D.BY_PLAN[1], ['other', [3, 2, 1], [null, null, null]]]);
  assert.equal(two.breakdown.groups[2].groups, 2);
  addsUp(two);
  // limit = the number of values: nothing to fold
  const four = await bdFunnel(bd, 'breakdown=properties.plan&limit=4');
  assert.deepEqual(groupsOf(four), D.BY_PLAN);
  const most = await bdFunnel(bd, 'breakdown=properties.plan&limit=100');
  assert.deepEqual(groupsOf(most), D.BY_PLAN);
});

test('breakdown by a number, a boolean, the shop', async () => {
  const seats = await bdFunnel(bd, 'breakdown=properties.seats');
  assert.deepEqual(groupsOf(seats), D.BY_SEATS);
  addsUp(seats);
  const trial = await bdFunnel(bd, 'breakdown=properties.trial');
  assert.deepEqual(groupsOf(trial), D.BY_TRIAL);
  addsUp(trial);
  const shop = await bdFunnel(bd, 'breakdown=shop');
  assert.equal(shop.breakdown.by, 'shop');
  // b8 counts under shop-c, the shop of the signup its path starts from
  assert.deepEqual(groupsOf(shop), D.BY_SHOP);
  addsUp(shop);
});

test('breakdown: the lowest id of two entry events in one millisecond; any key; no events', async () => {
  const b10 = await funnel(bd, `steps=${D.STEPS}&${D.B10_RANGE}&breakdown=properties.plan`);
  assert.deepEqual(groupsOf(b10), [['first', [1, 0, 0], [null, null, null]]]);
  // a key holding '"', '\' and '.' is one top-level key
  const odd = await bdFunnel(bd, `breakdown=properties.${encodeURIComponent(D.ODD_KEY)}`);
  assert.equal(odd.breakdown.by, `properties.${D.ODD_KEY}`);
  assert.deepEqual(groupsOf(odd), [
    ['(none)', [8, 5, 1], [null, 60 * D.MIN, 40 * D.MIN]],
    ['odd', [1, 1, 1], [null, 10 * D.MIN, 30 * D.MIN]],
  ]);
  // SQL in a key is a key nobody has; the events are still there
  const sql = await bdFunnel(bd, `breakdown=properties.${encodeURIComponent("plan'); DROP TABLE events; --")}`);
  assert.deepEqual(groupsOf(sql), [['(none)', [9, 6, 2], [null, 40 * D.MIN, 35 * D.MIN]]]);
  assert.deepEqual(groupsOf(await bdFunnel(bd, 'breakdown=properties.plan')), D.BY_PLAN);
  // a 64-byte key is fine
  const long = await bdFunnel(bd, `breakdown=properties.${'k'.repeat(64)}`);
  assert.deepEqual(long.breakdown.groups.map((g) => g.value), ['(none)']);
  // nobody entered: no group
  const none = await funnel(bd, `steps=${D.STEPS}&from=2020-01-01&to=2020-02-01&breakdown=shop`);
  assert.deepEqual(none.breakdown, { by: 'shop', groups: [] });
});

test('breakdown: tenant isolation, the other project\'s values never show', async () => {
  // the other tenant has events at the same (name, time, user) as b1's and b2's entries
  const mine = await bdFunnel(bd, 'breakdown=properties.plan');
  assert.deepEqual(groupsOf(mine), D.BY_PLAN);
  assert.ok(!JSON.stringify(mine).includes('enterprise'));
  assert.ok(!JSON.stringify(await bdFunnel(bd, 'breakdown=shop')).includes('shop-z'));
  assert.deepEqual(groupsOf(await bdFunnel(bdOther, 'breakdown=properties.plan')), D.BY_PLAN_OTHER);
  const shops = await bdFunnel(bdOther, 'breakdown=shop');
  assert.deepEqual(shops.breakdown.groups.map((g) => [g.value, g.steps[0].count]), [['shop-z', 2]]);
  assert.deepEqual((await bdFunnel(empty, 'breakdown=properties.plan')).breakdown.groups, []);
});

test('breakdown 400s: not shop or properties.KEY, an empty or long key, a bad limit', async () => {
  const bad = async (q, what, re) => {
    const body = expectError(stack, await stack.get(`/api/v1/analytics/funnel?steps=a,b&${q}`, { key: bd.secret }), 400, 'bad_request');
    assert.match(body.message, re, what);
  };
  const must = /'breakdown' must be shop or properties\.KEY/;
  await bad('breakdown=foo', 'foo', must);
  await bad('breakdown=properties.', 'no key', must);
  await bad(`breakdown=properties.${'k'.repeat(65)}`, 'a 65-byte key', must);
  await bad('breakdown=', 'empty', must);
  await bad('breakdown=event', 'the event breakdown\'s event', must);
  await bad('breakdown=properties', 'no dot', must);
  await bad('breakdown=SHOP', 'case matters', must);
  await bad('breakdown=properties.%FF', 'bad UTF-8', /not valid UTF-8/);
  await bad('breakdown=shop&limit=0', 'limit 0', /'limit'/);
  await bad('breakdown=shop&limit=101', 'limit 101', /'limit'/);
  await bad('breakdown=shop&limit=ten', 'limit not a number', /'limit'/);
});

test('400s: steps missing, too few, too many, empty; a bad window; a bad range; bad weeks', async () => {
  const bad = async (q, what, re) => {
    const body = expectError(stack, await stack.get(`/api/v1/analytics/${q}`, { key: a.secret }), 400, 'bad_request');
    assert.match(body.message, re, what);
  };
  const eleven = Array.from({ length: 11 }, (_, i) => `s${i}`).join(',');
  await bad('funnel', 'no steps', /'steps' is required/);
  await bad('funnel?steps=', 'steps empty', /'steps' is required/);
  await bad('funnel?steps=signup', 'one step', /2 to 10 steps; 1 given/);
  await bad(`funnel?steps=${eleven}`, 'eleven steps', /2 to 10 steps; 11 given/);
  await bad(`funnel?${Array.from({ length: 12 }, (_, i) => `steps=s${i}`).join('&')}`, 'twelve parameters', /12 given/);
  await bad('funnel?steps=signup,,activate', 'an empty step', /step 2 is empty/);
  await bad('funnel?steps=signup,activate,', 'a trailing comma', /step 3 is empty/);
  await bad(`funnel?steps=signup,${'x'.repeat(201)}`, 'a long name', /longer than 200 characters/);
  await bad('funnel?steps=signup,%FF', 'bad UTF-8', /not valid UTF-8/);
  for (const w of ['0', '-1d', '1.5h', '91d', '2y', 'abc', '']) {
    await bad(`funnel?steps=a,b&window=${w}`, `window ${w}`, /'window' must be a duration/);
  }
  await bad('funnel?steps=a,b&from=yesterday', 'a bad from', /'from' must be/);
  await bad(`funnel?steps=a,b&from=${D.iso(D.BASE + D.DAY)}&to=${D.iso(D.BASE)}`, 'from after to', /'from' must be before 'to'/);
  await bad('retention?weeks=27', 'weeks above 26', /'weeks' must be an integer from 0 to 26/);
  await bad('retention?weeks=-1', 'negative weeks', /'weeks'/);
  await bad('retention?weeks=two', 'weeks not a number', /'weeks'/);
  await bad('retention?from=2020-01-01&to=2026-01-01', 'over two years', /at most 104 weeks/);
  await bad('retention?to=nope', 'a bad to', /'to' must be/);
});

test('an ingest key reads neither report; no key is 401', async () => {
  for (const path of [`/api/v1/analytics/funnel?steps=${D.STEPS}`, '/api/v1/analytics/retention']) {
    expectStatus(stack, await stack.get(path, { key: a.ingest }), 403);
    expectStatus(stack, await stack.get(path), 401);
  }
});
