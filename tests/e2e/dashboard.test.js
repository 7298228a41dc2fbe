// SPEC §10: the dashboard (nginx/static/index.html, nginx/static/dash/) in
// Debian's Chromium driven by playwright-core, against a stack with a demo
// week (tallyctl demo-data) and an owner account made as quickstart.sh
// makes it. What the pages show is compared with the API's own answers to
// the same requests. Screenshots of every page at 1280×800 and 390×844 go
// to tests/e2e/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startStack, SRC } from './lib/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(SRC, 'tests', 'e2e', 'artifacts');
const EMAIL = 'demo@example.com';
const PASSWORD = 'dashboard-test-password';
const T = { timeout: 120000 };
const PAGES = ['overview', 'llm', 'traces', 'trace', 'session', 'events', 'feedback', 'insights', 'settings'];

let stack;
let tenant;
let browser;
let base;
let token;

/** tallyctl with a line on stdin (account create reads the password there). */
function ctlStdin(input, ...args) {
  return new Promise((resolve, reject) => {
    const p = spawn(path.join(stack.bin, 'tallyctl'), ['--config', stack.conf, ...args], { env: stack.env });
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tallyctl ${args.join(' ')}: ${code} ${err}`))));
    p.stdin.end(`${input}\n`);
  });
}

/** GET an API path with the owner's token; resolves to the parsed body. */
async function apiGet(p, key = token) {
  const res = await stack.get(p, { key, headers: { 'X-Project-Id': 'demo' } });
  assert.equal(res.status, 200, `${p}: ${res.status} ${res.text}`);
  return res.body;
}

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (quickstart.sh test does)`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startStack();
  tenant = await stack.tenant('demo');
  await stack.ctl('demo-data', 'demo');
  await ctlStdin(PASSWORD, 'account', 'create', EMAIL);
  await stack.ctl('member', 'add', 'demo', EMAIL, 'owner');
  base = `http://127.0.0.1:${stack.httpPort}`;
  const gen = await stack.post('/api/v1/insights/generate', {}, { key: tenant.secret });
  assert.equal(gen.status, 200, gen.text);
  const res = await stack.post('/api/v1/auth/login', { email: EMAIL, password: PASSWORD });
  assert.equal(res.status, 200, res.text);
  token = res.body.token;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run'],
    timeout: 60000,
  });
}, { timeout: 180000 });

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (stack) await stack.stop();
}, { timeout: 60000 });

/**
 * A fresh browser context at the given size, logged in through the form.
 * problems collects console errors, page errors, failed requests and HTTP
 * errors, for the tests to assert empty.
 */
async function open(width = 1280, height = 800) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => {
    const why = r.failure() && r.failure().errorText;
    // a live stream is cut when the page moves on: that is its end, not a failure
    if (why === 'net::ERR_ABORTED' && new URL(r.url()).pathname.startsWith('/api/v1/stream/')) return;
    problems.push(`failed: ${new URL(r.url()).pathname} ${why}`);
  });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(`${base}/`);
  await page.waitForSelector('#login-form');
  await page.fill('#f-email', EMAIL);
  await page.fill('#f-password', PASSWORD);
  const stats = page.waitForResponse((r) => r.url().includes('/api/v1/analytics/stats'));
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#overview-chart canvas');
  return { context, page, problems, stats: await stats };
}

test('the dashboard is served under a strict CSP, HTML not cached', T, async () => {
  const res = await stack.get('/');
  assert.equal(res.status, 200);
  const csp = res.headers['content-security-policy'];
  assert.match(csp, /default-src 'self'; script-src 'self'; style-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['referrer-policy'], 'no-referrer');
  assert.equal(res.headers['cache-control'], 'no-cache');
  assert.ok(res.headers['x-request-id']);
  assert.doesNotMatch(res.text, /<script>|<style|style=/, 'no inline script or style');
  const js = await stack.get('/dash/app.js');
  assert.equal(js.status, 200);
  assert.match(js.headers['content-type'], /javascript/);
  assert.ok(js.headers['content-security-policy']);
  assert.equal(js.headers['cache-control'], 'no-cache', 'revalidated: the file names carry no version');
  assert.ok(js.headers.etag);
  const vendor = await stack.get('/dash/vendor/uplot/uPlot.iife.min.js');
  assert.equal(vendor.status, 200);
});

test('log in through the form: the overview chart draws and its totals are the API\'s', T, async () => {
  const { context, page, problems, stats } = await open();
  try {
    const canvas = page.locator('#overview-chart canvas');
    assert.ok(await canvas.count() >= 1, 'a uPlot canvas');
    await page.waitForFunction(() => {
      const el = document.getElementById('overview-chart');
      return el && el.dataset.xTicks && el.dataset.yTicks;
    });
    const ticks = await page.locator('#overview-chart').evaluate((el) => [el.dataset.xTicks, el.dataset.yTicks]);
    assert.ok(ticks[0].length > 0 && ticks[1].length > 0, `axis labels: ${ticks}`);
    // the same from/to as the page asked for, read again through the API
    const q = new URL(stats.url()).search;
    const api = (await apiGet(`/api/v1/analytics/stats${q}`)).data;
    assert.ok(api.events > 0, 'the demo week is loaded');
    await page.waitForSelector('#totals [data-stat=events]');
    const shown = (k) => page.locator(`#totals [data-stat=${k}] .card-value`).innerText();
    const nf = new Intl.NumberFormat('en-US');
    assert.equal(await shown('events'), nf.format(api.events));
    assert.equal(await shown('users'), nf.format(api.users));
    assert.equal(await shown('sessions'), nf.format(api.sessions));
    assert.equal(await shown('llmCalls'), nf.format(api.llmCalls));
    assert.equal(await shown('cost'), `$${api.cost.toFixed(2)}`);
    // top events as the API ranks them
    await page.waitForSelector('#top-events-table');
    const names = await page.locator('#top-events-table tbody tr td:first-child').allInnerTexts();
    assert.deepEqual(names, api.topEvents.map((e) => e.event));
    // the funnel builder answers
    await page.click('#funnel-run');
    await page.waitForSelector('#funnel-table');
    assert.equal(await page.locator('#funnel-table tbody tr').count(), 2);
    // keyboard: the first Tab lands on the skip link, which focuses the content in place
    await page.reload();
    await page.waitForSelector('#overview-chart canvas');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
    assert.equal(await page.evaluate(() => location.hash), '#/overview');
    // the realtime counter
    await page.waitForFunction(() => document.getElementById('realtime')?.dataset.events !== undefined);
    assert.deepEqual(problems, []);
  } finally { await context.close(); }
});

test('LLM costs: the breakdown is the API\'s numbers', T, async () => {
  const { context, page, problems } = await open();
  try {
    const resp = page.waitForResponse((r) => r.url().includes('/api/v1/analytics/cost-breakdown'));
    await page.goto(`${base}/#/llm`);
    const url = new URL((await resp).url());
    await page.waitForSelector('#cost-breakdown-table');
    const api = (await apiGet(`/api/v1/analytics/cost-breakdown${url.search}`)).data;
    assert.ok(api.length > 0);
    const rows = await page.locator('#cost-breakdown-table tbody tr').evaluateAll((trs) => trs.map((tr) => ({
      name: tr.cells[0].textContent,
      cost: Number(tr.cells[1].querySelector('[data-cost]').dataset.cost),
      calls: tr.cells[4].textContent,
    })));
    const nf = new Intl.NumberFormat('en-US');
    assert.deepEqual(rows, api.map((r) => ({ name: r.name, cost: r.totalCost, calls: nf.format(r.callCount) })));
    // the flamegraph has a box per feature and model, the prompt report its rows
    const flame = (await apiGet(`/api/v1/analytics/flamegraph${url.search}`)).data;
    const boxes = 1 + flame.children.length + flame.children.reduce((n, c) => n + (c.children || []).length, 0);
    await page.waitForSelector('#flamegraph .flame-node');
    assert.equal(await page.locator('#flamegraph .flame-node').count(), boxes);
    await page.waitForSelector('#prompts table');
    await page.waitForSelector('#cost-chart canvas');
    assert.deepEqual(problems, []);
  } finally { await context.close(); }
});

test('ingesting an LLM call makes the live ticker change within 3 s', T, async () => {
  const { context, page, problems } = await open();
  try {
    await page.goto(`${base}/#/llm`);
    await page.waitForFunction(() => document.getElementById('live-cost')?.dataset.cost !== undefined);
    const before = await page.locator('#live-cost').getAttribute('data-cost');
    const res = await stack.post('/api/v1/events', { events: [{
      traceId: `live-${Date.now()}`, spanId: 's1', provider: 'openai', model: 'gpt-4o', feature: 'chat',
      userId: 'ticker-user', inputTokens: 50000, outputTokens: 5000,
    }] }, { key: tenant.ingest });
    assert.equal(res.status, 202, res.text);
    const t0 = Date.now();
    await page.waitForFunction((b) => document.getElementById('live-cost')?.dataset.cost !== b, before, { timeout: 3000 });
    assert.ok(Date.now() - t0 <= 3000);
    assert.ok(Number(await page.locator('#live-cost').getAttribute('data-cost')) > Number(before));
    assert.deepEqual(problems, []);
  } finally { await context.close(); }
});

test('traces: opening a trace shows its span tree, linked to its session', T, async () => {
  const { context, page, problems } = await open();
  try {
    await page.goto(`${base}/#/traces`);
    await page.waitForSelector('#traces-table tbody tr a');
    const href = await page.locator('#traces-table tbody tr a').first().getAttribute('href');
    const id = decodeURIComponent(href.split('/').pop());
    await page.locator('#traces-table tbody tr a').first().click();
    await page.waitForSelector('#span-tree .span');
    const trace = (await apiGet(`/api/v1/traces/${id}`)).data;
    const count = (spans) => spans.reduce((n, s) => n + 1 + count(s.children || []), 0);
    assert.equal(await page.locator('#span-tree .span').count(), count(trace.spans));
    const names = await page.locator('#span-tree .span-name').allInnerTexts();
    assert.equal(names[0], trace.spans[0].name);
    if (trace.sessionId) {
      await page.click('#session-link');
      await page.waitForSelector('#session-items');
    }
    // cursor paging on the list
    await page.goto(`${base}/#/traces`);
    await page.waitForSelector('#traces-table tbody tr');
    const first = await page.locator('#traces-table tbody tr').count();
    assert.equal(first, 50);
    await page.click('#traces-more');
    await page.waitForFunction((n) => document.querySelectorAll('#traces-table tbody tr').length > n, first);
    assert.deepEqual(problems, []);
  } finally { await context.close(); }
});

test('settings: a key created in the page works, and once revoked gets 401', T, async () => {
  const { context, page, problems } = await open();
  try {
    await page.goto(`${base}/#/settings`);
    await page.waitForSelector('#keys-table');
    await page.fill('#key-name', 'made in the dashboard');
    await page.selectOption('#key-kind', 'secret');
    await page.click('#key-form button[type=submit]');
    await page.waitForSelector('#new-key');
    const key = (await page.locator('#new-key').innerText()).trim();
    assert.match(key, /^tk_sec_/);
    assert.equal((await stack.get('/api/v1/analytics/stats', { key })).status, 200);
    const row = page.locator('#keys-table tbody tr', { hasText: 'made in the dashboard' });
    await row.locator('button').click();
    await row.locator('button', { hasText: 'Confirm revoke' }).click();
    await page.locator('#keys-table tbody tr', { hasText: 'made in the dashboard' }).filter({ hasText: 'revoked' }).waitFor();
    assert.equal((await stack.get('/api/v1/analytics/stats', { key })).status, 401);
    assert.deepEqual(problems, []);
  } finally { await context.close(); }
});

test('settings: retention and rate limit saved with PATCH; a member added and removed', T, async () => {
  await ctlStdin('another-password-123', 'account', 'create', 'viewer@example.com');
  const { context, page, problems } = await open();
  try {
    await page.goto(`${base}/#/settings`);
    await page.waitForSelector('#members-table');
    await page.fill('#set-retention', '90');
    await page.fill('#set-rate', '1200');
    await page.click('#project-form button[type=submit]');
    await page.locator('text=Saved.').waitFor();
    const me = await apiGet('/api/v1/me');
    const demo = me.projects.find((p) => p.slug === 'demo');
    assert.equal(demo.settings.retention_days, 90);
    assert.equal(demo.settings.rate_limit_per_min, 1200);
    await page.fill('#mem-email', 'viewer@example.com');
    await page.selectOption('#mem-role', 'viewer');
    await page.click('#member-form button[type=submit]');
    const row = page.locator('#members-table tbody tr', { hasText: 'viewer@example.com' });
    await row.waitFor();
    let members = (await apiGet('/api/v1/projects/demo/members')).data;
    assert.ok(members.some((m) => m.email === 'viewer@example.com' && m.role === 'viewer'));
    await row.locator('button').click();
    await row.locator('button', { hasText: 'Confirm remove' }).click();
    await row.waitFor({ state: 'detached' });
    members = (await apiGet('/api/v1/projects/demo/members')).data;
    assert.ok(!members.some((m) => m.email === 'viewer@example.com'));
    // back to the server's defaults
    await page.fill('#set-retention', '');
    await page.fill('#set-rate', '');
    await page.click('#project-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#project-form + .state').textContent === 'Saved.');
    assert.deepEqual(problems, []);
  } finally { await context.close(); }
});

test('events explorer: a filter, cursor paging and an event\'s JSON', T, async () => {
  const { context, page, problems } = await open();
  try {
    await page.goto(`${base}/#/events`);
    await page.waitForSelector('#events-table tbody tr');
    assert.equal(await page.locator('#events-table tbody tr').count(), 50);
    await page.click('#events-more');
    await page.waitForFunction(() => document.querySelectorAll('#events-table tbody tr').length > 50);
    await page.fill('#ef-event', 'signup');
    await page.click('form[aria-label="Filter events"] button[type=submit]');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('#events-table tbody tr')];
      return rows.length > 0 && rows.every((r) => r.cells[2].textContent === 'signup');
    });
    const first = page.locator('#events-table tbody tr').first();
    await first.locator('button').click();
    const json = JSON.parse(await first.locator('pre').innerText());
    assert.equal(json.event, 'signup');
    assert.deepEqual(problems, []);
  } finally { await context.close(); }
});

test('sign up in the page: the keys are shown once, the new project is empty', T, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  try {
    await page.goto(`${base}/#/login`);
    await page.click('text=Sign up');
    await page.waitForSelector('#signup-form');
    await page.fill('#f-email', 'new-owner@example.com');
    await page.fill('#f-password', 'a long enough password');
    await page.fill('#f-project_name', 'Fresh shop');
    await page.click('#signup-form button[type=submit]');
    await page.waitForSelector('text=Your keys');
    const keys = await page.locator('.keys code').allInnerTexts();
    assert.match(keys[0], /^tk_pub_/);
    assert.match(keys[1], /^tk_sec_/);
    await page.click('text=Go to the dashboard');
    await page.waitForSelector('#totals [data-stat=events]');
    assert.equal(await page.locator('#totals [data-stat=events] .card-value').innerText(), '0');
    await page.waitForSelector('#overview-chart .state, #overview-chart canvas');
    await page.waitForSelector('#top-events .state.empty');
    assert.equal(await page.locator('#project').inputValue(), 'fresh-shop');
    // the insights page answers for an empty project too
    await page.goto(`${base}/#/insights`);
    await page.click('#insights-generate');
    await page.waitForFunction(() => /new insight/.test(document.querySelector('.controls .state').textContent));
    assert.deepEqual(problems, []);
  } finally { await context.close(); }
});

test('a failing API call shows an error in its panel, not a blank page', T, async () => {
  const { context, page } = await open();
  try {
    await page.route('**/api/v1/analytics/cost-breakdown*', (r) => r.fulfill({
      status: 500, contentType: 'application/json',
      body: JSON.stringify({ error: 'internal', message: 'the store is unavailable', status: 500 }),
    }));
    await page.goto(`${base}/#/llm`);
    await page.waitForSelector('#cost-breakdown .state.error');
    assert.match(await page.locator('#cost-breakdown .state.error').innerText(), /the store is unavailable/);
    await page.waitForSelector('#flamegraph .flame-node');   // the other panels still load
    // an expired or revoked token goes back to the login form
    await page.evaluate(() => sessionStorage.setItem('tally.token', 'not-a-token'));
    await page.goto(`${base}/#/events`);
    await page.waitForSelector('#login-form');
  } finally { await context.close(); }
});

for (const [w, hgt] of [[1280, 800], [390, 844]]) {
  test(`every page at ${w}×${hgt}: no console errors or failed requests, a screenshot each`, T, async () => {
    const { context, page, problems } = await open(w, hgt);
    try {
      const trace = (await apiGet('/api/v1/traces?limit=100')).data.find((t) => t.sessionId);
      const where = {
        trace: `traces/${trace.traceId}`,
        session: `sessions/${trace.sessionId}`,
      };
      for (const name of PAGES) {
        await page.goto(`${base}/#/${where[name] || name}`);
        const route = { trace: 'traces', session: 'sessions' }[name] || name;
        await page.waitForSelector(`#main[data-route="${route}"]`);
        await page.waitForLoadState('networkidle');
        await page.waitForFunction(() => !document.querySelector('.state.loading'));
        assert.equal(await page.locator('.state.error').count(), 0, `${name}: an error state`);
        assert.equal(await page.locator('button:visible', { hasText: /^(Load more|Older)$/ }).count(),
          name === 'traces' || name === 'events' ? 1 : 0, `${name}: a paging button only where there is more`);
        await page.screenshot({ path: path.join(ARTIFACTS, `dashboard-${name}-${w}x${hgt}.png`), fullPage: true });
      }
      // every control has a name
      const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, button')]
        .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())
        .map((el) => el.outerHTML));
      assert.deepEqual(unlabelled, []);
      // logout returns to the login form and forgets the token
      await page.click('#logout');
      await page.waitForSelector('#login-form');
      assert.equal(await page.evaluate(() => sessionStorage.getItem('tally.token')), null);
      assert.deepEqual(problems, []);
    } finally { await context.close(); }
  });
}
