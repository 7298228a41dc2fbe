// SPEC §10: the browser tracker (nginx/static/tracker.js) in a real headless
// Chromium (Debian's /usr/bin/chromium driven by playwright-core), on a page
// served by the stack's nginx (tests/e2e/fixtures/site, development config
// only), sending to the stack's API on another origin. Every assertion about
// delivery reads the events back with GET /api/v1/events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { startStack, SRC } from './lib/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const TRACKER = path.join(SRC, 'nginx', 'static', 'tracker.js');
const UA = 'Mozilla/5.0 (X11; Linux x86_64) TallyTrackerTest/1.0';
const T = { timeout: 90000 };

let stack;
let tenant;
let browser;
let site;   // the page's origin: http://127.0.0.1:PORT
let api;    // the tracker's and the API's origin: http://localhost:PORT

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (quickstart.sh test does)`);
  stack = await startStack();
  tenant = await stack.tenant('tracker');
  site = `http://127.0.0.1:${stack.httpPort}`;
  api = `http://localhost:${stack.httpPort}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 60000,
  });
}, { timeout: 120000 });

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (stack) await stack.stop();
}, { timeout: 60000 });

/**
 * A fresh browser profile (empty storage) on the test page. The cookies
 * become the tracker's script tag (see fixtures/site/index.html):
 * opts.auto, opts.flush, opts.dnt, opts.key, opts.src, opts.init (a
 * function run in the page before any script).
 * Resolves to { context, page, requests, errors, open(path) }.
 */
async function browse(opts = {}) {
  const context = await browser.newContext({ userAgent: UA });
  const cookies = {
    t_src: opts.src || `${api}/tracker.v1.js`,
    t_key: opts.key || tenant.ingest,
    t_api: api,
  };
  if (opts.auto) cookies.t_auto = opts.auto;
  if (opts.flush) cookies.t_flush = String(opts.flush);
  if (opts.dnt) cookies.t_dnt = '1';
  await context.addCookies(Object.entries(cookies).map(([name, value]) => ({ name, value, url: site })));
  if (opts.init) await context.addInitScript(opts.init);
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push({ method: r.method(), url: r.url(), type: r.resourceType(),
    body: r.postData() }));
  page.on('pageerror', (e) => errors.push(e.message));
  const open = async (p = '/_test/site/', gotoOpts = {}) => {
    await page.goto(site + p, gotoOpts);
    await page.waitForFunction(() => window.tally && window.tally.v);
  };
  return { context, page, requests, errors, open };
}

/** The tracker's ids as stored in the page's localStorage. */
function ids(page) {
  return page.evaluate(() => ({
    aid: localStorage.getItem('tally_aid'),
    sid: localStorage.getItem('tally_sid'),
    uid: localStorage.getItem('tally_uid'),
    sts: localStorage.getItem('tally_sts'),
  }));
}

/** Every stored event of one anonymous id, oldest first. */
async function eventsOf(anonymousId, extra = '') {
  const rows = await stack.allEvents(tenant.secret, `anonymousId=${encodeURIComponent(anonymousId)}${extra}`);
  return rows.reverse();
}

/** Polls eventsOf() until pred(events) holds; fails with what arrived. */
async function until(anonymousId, pred, what, ms = 15000) {
  const end = Date.now() + ms;
  let rows = [];
  while (Date.now() < end) {
    rows = await eventsOf(anonymousId);
    if (pred(rows)) return rows;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${what}: after ${ms} ms, stored: ${JSON.stringify(rows.map((e) => [e.type, e.event,
    e.properties && e.properties.path]))}`);
}

const pages = (rows) => rows.filter((e) => e.type === 'page');
const named = (rows, name) => rows.filter((e) => e.event === name);
const batchPosts = (requests) => requests.filter((r) => r.url === `${api}/api/v1/batch`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** GET through nginx with gzip accepted; resolves to { status, headers, raw }. */
function getGzip(p) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: stack.httpPort, path: p, headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, raw: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

test('tracker.js is at most 3 KiB gzipped; nginx serves it compressed, /tracker.v1.js cached for a year', T, async () => {
  const source = fs.readFileSync(TRACKER);
  const gz = zlib.gzipSync(source, { level: 9 }).length;
  assert.ok(gz <= 3072, `tracker.js is ${gz} bytes gzipped (limit 3072)`);

  const v1 = await getGzip('/tracker.v1.js');
  assert.equal(v1.status, 200);
  assert.equal(v1.headers['content-encoding'], 'gzip');
  assert.match(v1.headers['content-type'], /^application\/javascript/);
  assert.equal(v1.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(v1.headers['access-control-allow-origin'], '*');
  assert.match(v1.headers.vary || '', /Accept-Encoding/i);
  assert.ok(zlib.gunzipSync(v1.raw).equals(source), '/tracker.v1.js is not nginx/static/tracker.js');
  assert.ok(v1.raw.length <= 3072, `served gzipped in ${v1.raw.length} bytes`);

  const short = await getGzip('/tracker.js');
  assert.equal(short.status, 200);
  assert.equal(short.headers['content-encoding'], 'gzip');
  assert.match(short.headers['content-type'], /^application\/javascript/);
  assert.equal(short.headers['cache-control'], 'public, max-age=3600');
  assert.equal(short.headers['access-control-allow-origin'], '*');
  assert.ok(zlib.gunzipSync(short.raw).equals(source));
});

test('page view on load: ids, url, referrer, title, user agent; queued calls replayed; host errors harmless', T, async () => {
  const b = await browse();
  try {
    await b.page.goto(`${site}/_test/site/start.html`);
    await b.page.click('#to-site');
    await b.page.waitForFunction(() => window.tally && window.tally.v);
    const { aid, sid } = await ids(b.page);
    assert.match(aid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(sid, /^[0-9a-f-]{36}$/);
    const rows = await until(aid, (r) => pages(r).length === 1 && named(r, 'queued_before_load').length === 1,
      'the page view and the queued track call');

    const pv = pages(rows)[0];
    assert.equal(pv.anonymousId, aid);
    assert.equal(pv.sessionId, sid);
    assert.equal(pv.userId, undefined);
    assert.match(pv.messageId, /^[0-9a-f-]{36}$/);
    const url = `${site}/_test/site/`;
    const referrer = `${site}/_test/site/start.html`;
    assert.deepEqual(pv.properties, { url, path: '/_test/site/', referrer, title: 'Tracker test: home', search: '' });
    assert.deepEqual(pv.context.page, pv.properties);
    assert.equal(pv.context.userAgent, UA);
    assert.equal(typeof pv.context.locale, 'string');
    assert.equal(typeof pv.context.screen.width, 'number');
    assert.deepEqual(pv.context.library, { name: 'tally.js', version: '1.0.0' });
    assert.ok(Math.abs(Date.parse(pv.timestamp) - Date.now()) < 60000, `timestamp ${pv.timestamp}`);

    // the stub queue's call, made before the tracker loaded, is replayed
    const queued = named(rows, 'queued_before_load')[0];
    assert.equal(queued.type, 'track');
    assert.deepEqual(queued.properties, { from: 'stub' });
    assert.equal(queued.sessionId, sid);

    // the host page's own error is there, and nothing else: the tracker threw nothing
    assert.equal(b.errors.length, 1, `page errors: ${b.errors.join(' | ')}`);
    assert.match(b.errors[0], /reading 'start'/);

    // the tracker and the API are on another origin than the page
    const posts = batchPosts(b.requests);
    assert.ok(posts.length >= 1);
    assert.ok(b.requests.some((r) => r.url === `${api}/tracker.v1.js` && r.type === 'script'));
    const sent = JSON.parse(posts[0].body);
    assert.equal(sent.writeKey, tenant.ingest);
    assert.match(sent.sentAt, /^\d{4}-\d\d-\d\dT/);
  } finally {
    await b.context.close();
  }
});

test('no CORS preflight: text/plain with writeKey in the body, across origins', T, async () => {
  const b = await browse();
  try {
    const accessLog = () => fs.readFileSync(path.join(stack.varDir, 'log', 'nginx-access.log'), 'utf8');
    const before = accessLog().length;
    await b.open();
    const { aid } = await ids(b.page);
    await b.page.click('#signup');
    await until(aid, (r) => pages(r).length === 1 && named(r, 'signup_click').length === 1, 'page view and click');
    const posts = batchPosts(b.requests);
    assert.ok(posts.length >= 1);
    assert.equal(b.requests.filter((r) => r.method === 'OPTIONS').length, 0);
    let log = accessLog().slice(before);
    assert.match(log, /"POST \/api\/v1\/batch /);
    assert.doesNotMatch(log, /"OPTIONS /, 'nginx saw a preflight');

    // Control: the same POST as application/json would have been preflighted,
    // so the origins above really differ.
    const status = await b.page.evaluate(async ([u, key]) => {
      const r = await fetch(u, { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ batch: [{ type: 'track', event: 'control', anonymousId: 'control' }], writeKey: key }) });
      return r.status;
    }, [`${api}/api/v1/batch`, tenant.ingest]);
    assert.equal(status, 200);
    log = accessLog().slice(before);
    assert.match(log, /"OPTIONS \/api\/v1\/batch /);
  } finally {
    await b.context.close();
  }
});

test('SPA navigation: pushState sends a page view with the new URL; same URL and #fragment send none; back does', T, async () => {
  const b = await browse();
  try {
    await b.open();
    const { aid, sid } = await ids(b.page);
    await until(aid, (r) => pages(r).length === 1, 'the first page view');

    await b.page.click('#nav-pricing');
    let rows = await until(aid, (r) => pages(r).length === 2, 'the page view of the pushState navigation');
    const pv = pages(rows)[1];
    assert.equal(pv.properties.url, `${site}/_test/site/pricing?plan=pro`);
    assert.equal(pv.properties.path, '/_test/site/pricing');
    assert.equal(pv.properties.search, '?plan=pro');
    assert.equal(pv.properties.title, 'Tracker test: Pricing');
    assert.equal(pv.properties.referrer, `${site}/_test/site/`);
    assert.equal(pv.sessionId, sid);

    // pushState and replaceState to the same URL, then a #fragment: no page view
    await b.page.click('#nav-same');
    await b.page.click('#nav-hash');
    await b.page.evaluate(() => window.tally.track('after_same_url'));
    rows = await until(aid, (r) => named(r, 'after_same_url').length === 1, 'the marker event');
    await sleep(1500);
    rows = await eventsOf(aid);
    assert.equal(pages(rows).length, 2, 'a URL that did not change sent a page view');

    // back past the same-URL and #fragment entries: popstate to the home page
    await b.page.evaluate(() => history.go(-3));
    rows = await until(aid, (r) => pages(r).length === 3, 'the page view of history.back()');
    assert.equal(pages(rows)[2].properties.path, '/_test/site/');
    assert.equal(pages(rows)[2].properties.referrer, `${site}/_test/site/pricing?plan=pro`);
  } finally {
    await b.context.close();
  }
});

test('track and identify from clicks: props, then the userId on later events and after a reload', T, async () => {
  const b = await browse();
  try {
    await b.open();
    const { aid, sid } = await ids(b.page);
    await b.page.click('#signup');
    let rows = await until(aid, (r) => named(r, 'signup_click').length === 1, 'the click');
    const click = named(rows, 'signup_click')[0];
    assert.equal(click.type, 'track');
    assert.deepEqual(click.properties, { plan: 'pro' });
    assert.equal(click.anonymousId, aid);
    assert.equal(click.sessionId, sid);
    assert.equal(click.userId, undefined);
    assert.equal(click.context.page.path, '/_test/site/');

    await b.page.click('#login');
    rows = await until(aid, (r) => r.some((e) => e.type === 'identify'), 'the identify call');
    const ident = rows.find((e) => e.type === 'identify');
    assert.equal(ident.userId, 'user-42');
    assert.equal(ident.anonymousId, aid);
    assert.deepEqual(ident.traits, { email: 'u42@example.com', plan: 'pro' });
    assert.equal((await ids(b.page)).uid, 'user-42');

    await b.page.click('#signup');
    rows = await until(aid, (r) => named(r, 'signup_click').length === 2, 'the second click');
    assert.equal(named(rows, 'signup_click')[1].userId, 'user-42');

    await b.page.reload();
    await b.page.waitForFunction(() => window.tally && window.tally.v);
    rows = await until(aid, (r) => pages(r).length === 2, 'the page view after the reload');
    assert.equal(pages(rows)[1].userId, 'user-42');

    // the profile holds the traits
    const profile = await stack.get('/api/v1/users/user-42', { key: tenant.secret });
    assert.equal(profile.status, 200, profile.text);
  } finally {
    await b.context.close();
  }
});

test('ids: the anonymous id persists across reloads, the session lasts 30 idle minutes, reset() renews both', T, async () => {
  const b = await browse();
  try {
    await b.open();
    const first = await ids(b.page);
    await until(first.aid, (r) => pages(r).length === 1, 'the first page view');

    await b.page.reload();
    await b.page.waitForFunction(() => window.tally && window.tally.v);
    const second = await ids(b.page);
    assert.equal(second.aid, first.aid);
    assert.equal(second.sid, first.sid);
    let rows = await until(first.aid, (r) => pages(r).length === 2, 'the page view after the reload');
    assert.equal(pages(rows)[1].sessionId, first.sid);

    // 29 idle minutes: the same session; 31: a new one, same visitor
    await b.page.evaluate(() => localStorage.setItem('tally_sts', String(Date.now() - 29 * 60000)));
    await b.page.reload();
    await b.page.waitForFunction(() => window.tally && window.tally.v);
    assert.equal((await ids(b.page)).sid, first.sid);
    await b.page.evaluate(() => localStorage.setItem('tally_sts', String(Date.now() - 31 * 60000)));
    await b.page.reload();
    await b.page.waitForFunction(() => window.tally && window.tally.v);
    const third = await ids(b.page);
    assert.equal(third.aid, first.aid);
    assert.notEqual(third.sid, first.sid);
    rows = await until(first.aid, (r) => pages(r).length === 4, 'the page views of the later reloads');
    assert.equal(pages(rows)[3].sessionId, third.sid);

    // reset(): new anonymous id and session, the user forgotten
    await b.page.click('#login');
    await until(first.aid, (r) => r.some((e) => e.type === 'identify'), 'the identify call');
    await b.page.evaluate(() => { window.tally.reset(); window.tally.track('after_reset'); });
    const fresh = await ids(b.page);
    assert.notEqual(fresh.aid, first.aid);
    assert.equal(fresh.uid, '');
    rows = await until(fresh.aid, (r) => named(r, 'after_reset').length === 1, 'the event after reset()');
    const ev = named(rows, 'after_reset')[0];
    assert.equal(ev.userId, undefined);
    assert.notEqual(ev.sessionId, third.sid);
    assert.equal(ev.sessionId, fresh.sid);
  } finally {
    await b.context.close();
  }
});

/** An init script counting navigator.sendBeacon calls in localStorage. */
const countBeacons = () => {
  const send = navigator.sendBeacon.bind(navigator);
  navigator.sendBeacon = (u, data) => {
    localStorage.setItem('t_beacons', String(Number(localStorage.getItem('t_beacons') || 0) + 1));
    return send(u, data);
  };
};

test('storage that throws (localStorage blocked): the ids live in first-party cookies', T, async () => {
  const blocked = () => Object.defineProperty(window, 'localStorage', {
    get() { throw new DOMException('blocked by the test', 'SecurityError'); }, configurable: true });
  const b = await browse({ init: blocked });
  try {
    await b.open();
    const cookieIds = async () => {
      const jar = await b.context.cookies(site);
      const byName = Object.fromEntries(jar.map((c) => [c.name, c.value]));
      return { aid: byName.tally_aid, sid: byName.tally_sid };
    };
    const first = await cookieIds();
    assert.match(first.aid || '', /^[0-9a-f-]{36}$/, 'no tally_aid cookie');
    await until(first.aid, (r) => pages(r).length === 1 && pages(r)[0].sessionId === first.sid, 'the page view');
    await b.page.reload();
    await b.page.waitForFunction(() => window.tally && window.tally.v);
    assert.deepEqual(await cookieIds(), first);
    await until(first.aid, (r) => pages(r).length === 2 && pages(r)[1].sessionId === first.sid, 'the second page view');
    assert.equal(b.errors.length, 2, b.errors.join(' | '));   // the host page's, once per load
  } finally {
    await b.context.close();
  }
});

test('pagehide: a beacon delivers what the flush timer had not sent yet', T, async () => {
  const b = await browse({ flush: 600000, init: countBeacons });
  try {
    await b.open();
    const { aid } = await ids(b.page);
    await b.page.click('#signup');
    await b.page.evaluate(() => window.tally.track('queued_at_close', { n: 1 }));
    await sleep(1500);
    assert.equal(batchPosts(b.requests).length, 0, 'sent before the page was left');
    assert.equal((await eventsOf(aid)).length, 0);

    await b.page.goto(`${site}/_test/site/start.html`);   // pagehide on the tracked page
    const rows = await until(aid, (r) => pages(r).length === 1 && named(r, 'signup_click').length === 1 &&
      named(r, 'queued_at_close').length === 1 && named(r, 'queued_before_load').length === 1,
      'the queued events, by beacon');
    assert.equal(rows.length, 4);
    assert.equal(await b.page.evaluate(() => localStorage.getItem('t_beacons')), '1');
  } finally {
    await b.context.close();
  }
});

test('closing the tab sends the queue by beacon', T, async () => {
  const b = await browse({ flush: 600000 });
  await b.open();
  const { aid } = await ids(b.page);
  await b.page.evaluate(() => window.tally.track('tab_closed'));
  await b.page.close({ runBeforeUnload: true });
  try {
    await until(aid, (r) => named(r, 'tab_closed').length === 1 && pages(r).length === 1, 'the events of the closed tab');
  } finally {
    await b.context.close();
  }
});

test('data-auto="false": no automatic page view, the API still works', T, async () => {
  const b = await browse({ auto: 'false' });
  try {
    await b.open();
    const { aid } = await ids(b.page);
    await b.page.click('#nav-pricing');
    await b.page.evaluate(() => { window.tally.track('manual_mode'); });
    let rows = await until(aid, (r) => named(r, 'manual_mode').length === 1, 'the track call');
    await sleep(1500);
    rows = await eventsOf(aid);
    assert.equal(pages(rows).length, 0, 'a page view was sent with data-auto="false"');
    await b.page.evaluate(() => window.tally.page({ section: 'pricing' }));
    rows = await until(aid, (r) => pages(r).length === 1, 'the manual page view');
    assert.equal(pages(rows)[0].properties.section, 'pricing');
    assert.equal(pages(rows)[0].properties.path, '/_test/site/pricing');
  } finally {
    await b.context.close();
  }
});

const gpc = () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true });
const dnt = () => Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1', configurable: true });

for (const [name, init] of [['Global Privacy Control', gpc], ['Do Not Track', dnt]]) {
  test(`data-respect-dnt with ${name}: nothing sent, nothing stored, the API is a harmless no-op`, T, async () => {
    const b = await browse({ dnt: true, init });
    try {
      await b.open();
      await b.page.evaluate(() => {
        window.tally.track('should_not_leave', { a: 1 });
        window.tally.identify('dnt-user', { a: 1 });
        window.tally.page();
        window.tally.reset();
      });
      await b.page.click('#signup');
      await b.page.click('#nav-pricing');
      await sleep(2000);
      await b.page.goto(`${site}/_test/site/start.html`);    // pagehide: no beacon either
      await sleep(500);
      assert.deepEqual(batchPosts(b.requests), []);
      const stored = await b.page.evaluate(() => Object.keys(localStorage));
      assert.deepEqual(stored, []);
      assert.equal(b.errors.length, 1, b.errors.join(' | '));   // the host page's own
      const res = await stack.get('/api/v1/events?userId=dnt-user', { key: tenant.secret });
      assert.deepEqual(res.body.data, []);
    } finally {
      await b.context.close();
    }
  });
}

test('without data-respect-dnt, Global Privacy Control does not stop the tracker (the site opts in)', T, async () => {
  const b = await browse({ init: gpc });
  try {
    await b.open();
    const { aid } = await ids(b.page);
    await until(aid, (r) => pages(r).length === 1, 'the page view');
  } finally {
    await b.context.close();
  }
});

test('the tracker never throws: odd arguments, circular and BigInt props, oversized messages', T, async () => {
  const b = await browse();
  try {
    await b.open();
    const { aid } = await ids(b.page);
    const thrown = await b.page.evaluate(() => {
      const t = window.tally;
      const circular = { name: 'loop' };
      circular.self = circular;
      const calls = [
        () => t.track(),
        () => t.track(undefined, undefined),
        () => t.track(null),
        () => t.track(''),
        () => t.track('circular', circular),
        () => t.track('bigint', { n: 10n }),
        () => t.track('string_props', 'not an object'),
        () => t.track('array_props', [1, 2]),
        () => t.track({ toString() { throw new Error('x'); } }),
        () => t.track('huge', { s: 'x'.repeat(100000) }),
        () => t.track('x'.repeat(300)),
        () => t.identify(),
        () => t.identify(null, circular),
        () => t.identify({ anonymousTrait: true }),
        () => t.page('not an object'),
        () => t.page(circular),
        () => t.push(null),
        () => t.push(['no_such_method']),
        () => t.push(['track', 'pushed_after_load', { via: 'push' }]),
        () => t.push(7),
        () => t.flush(),
      ];
      const out = [];
      calls.forEach((f, i) => { try { f(); } catch (e) { out.push(`${i}: ${e.message}`); } });
      // the host's click handler throws; the next click still works
      document.getElementById('boom').click();
      t.track('still_alive');
      return out;
    });
    assert.deepEqual(thrown, []);
    const rows = await until(aid, (r) => named(r, 'still_alive').length === 1 && named(r, 'pushed_after_load').length === 1,
      'the events after the odd calls');
    assert.deepEqual(named(rows, 'circular')[0].properties, {});
    assert.deepEqual(named(rows, 'bigint')[0].properties, {});
    assert.deepEqual(named(rows, 'string_props')[0].properties, {});
    assert.deepEqual(named(rows, 'array_props')[0].properties, {});
    assert.deepEqual(named(rows, 'pushed_after_load')[0].properties, { via: 'push' });
    assert.equal(named(rows, 'huge').length, 0);
    assert.equal(rows.filter((e) => e.event && e.event.startsWith('xxx'))[0].event.length, 200);
    assert.equal(rows.filter((e) => e.type === 'identify').length, 3);
    assert.ok(b.errors.every((m) => /reading 'start'|host bug/.test(m)), b.errors.join(' | '));
  } finally {
    await b.context.close();
  }
});

test('a failed request is retried with the same messageIds, and each message is stored once', T, async () => {
  const b = await browse();
  try {
    let seen = 0;
    // the first request reaches the server, but the page sees a network error
    await b.page.route(`${api}/api/v1/batch`, async (route) => {
      seen += 1;
      if (seen === 1) {
        await route.fetch();
        await route.abort('failed');
      } else {
        await route.continue();
      }
    });
    const logged = stack.workerLog().length;
    await b.open();
    const { aid } = await ids(b.page);
    // the retry is answered as duplicates of the messages the first stored
    const end = Date.now() + 15000;
    let retried;
    while (!retried && Date.now() < end) {
      retried = stack.workerLog().slice(logged).find((l) => l.duplicates > 0);
      if (!retried) await sleep(200);
    }
    assert.ok(retried, `no retry reached the server (${seen} requests)`);
    const posts = batchPosts(b.requests);
    assert.ok(posts.length >= 2);
    const idsOf = (p) => JSON.parse(p.body).batch.map((m) => m.messageId).sort();
    assert.deepEqual(idsOf(posts[1]), idsOf(posts[0]));
    assert.equal(retried.duplicates, idsOf(posts[0]).length);
    const rows = await eventsOf(aid);
    assert.equal(pages(rows).length, 1);
    assert.equal(named(rows, 'queued_before_load').length, 1);
    assert.equal(rows.length, idsOf(posts[0]).length);
  } finally {
    await b.context.close();
  }
});

test('batches: 20 queued messages flush at once; a large burst is split under 64 KiB per request', T, async () => {
  const b = await browse({ flush: 600000 });
  try {
    await b.open();
    const { aid } = await ids(b.page);
    await b.page.evaluate(() => { for (let i = 0; i < 18; i++) window.tally.track('small', { i }); });
    // 2 queued (page view, stub call) + 18 = 20: sent without waiting for the timer
    let rows = await until(aid, (r) => named(r, 'small').length === 18, 'the batch of 20');
    assert.equal(batchPosts(b.requests).length, 1);
    assert.equal(JSON.parse(batchPosts(b.requests)[0].body).batch.length, 20);

    await b.page.evaluate(() => {
      for (let i = 0; i < 19; i++) window.tally.track('big', { i, pad: 'é'.repeat(8000) });
      window.tally.flush();
    });
    rows = await until(aid, (r) => named(r, 'big').length === 19, 'the large burst');
    const posts = batchPosts(b.requests).slice(1);
    assert.ok(posts.length >= 3, `${posts.length} requests`);
    for (const p of posts) assert.ok(Buffer.byteLength(p.body) < 65536, `a request of ${Buffer.byteLength(p.body)} bytes`);
    assert.equal(posts.reduce((n, p) => n + JSON.parse(p.body).batch.length, 0), 19);
  } finally {
    await b.context.close();
  }
});
