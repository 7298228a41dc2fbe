/*! tally.js 1.0.0, tally's browser tracker: see docs/tracker.md */
(function (w, d) {
  'use strict';
  try {
    const V = '1.0.0', n = navigator, L = location, mem = {}, q = [], waiting = [],
      s = d.currentScript || d.querySelector('script[data-key]') || { getAttribute() { return null; } },
      at = (a) => s.getAttribute(a),
      key = at('data-key'),
      url = (at('data-api') || (s.src ? new URL(s.src, L.href).origin : L.origin)).replace(/\/+$/, '') + '/api/v1/batch',
      delay = +at('data-flush-ms') || 1000,
      dnt = at('data-respect-dnt'),
      off = !key || (dnt != null && dnt != 'false' && (n.doNotTrack == '1' || n.globalPrivacyControl === true));
    let timer, inflight = 0, aid, uid, last, lastUrl, ref = d.referrer;
    // Nothing thrown here reaches the page.
    const guard = (f) => (...a) => { try { f(...a); } catch (e) {} };

    // localStorage, else a cookie, else memory.
    const get = (k) => {
      try { const v = localStorage.getItem(k); if (v != null) return v; } catch (e) {}
      try { const m = d.cookie.match('(?:^|; )' + k + '=([^;]*)'); if (m) return decodeURIComponent(m[1]); } catch (e) {}
      return mem[k];
    };
    const set = (k, v) => {
      mem[k] = v;
      try { localStorage.setItem(k, v); return v; } catch (e) {
        try { localStorage.removeItem(k); } catch (e2) {}
      }
      try { d.cookie = k + '=' + encodeURIComponent(v) + ';path=/;max-age=31536000;SameSite=Lax'; } catch (e) {}
      return v;
    };

    // UUID v4 (crypto.randomUUID needs https).
    const uuid = () => {
      const b = new Uint8Array(16);
      let h = '', i;
      crypto.getRandomValues(b);
      b[6] = b[6] & 15 | 64;
      b[8] = b[8] & 63 | 128;
      for (i = 0; i < 16; i++) h += (i > 3 && i < 11 && !(i & 1) ? '-' : '') + (b[i] + 256).toString(16).slice(1);
      return h;
    };

    // 30 idle minutes end a session.
    const session = () => {
      const now = Date.now();
      let sid = get('tally_sid');
      if (!sid || now - (+get('tally_sts') || 0) > 18e5) sid = set('tally_sid', uuid());
      set('tally_sts', '' + now);
      return sid;
    };

    const bytes = (t) => new Blob([t]).size;
    const iso = () => new Date().toISOString();
    const obj = (o) => (o && typeof o == 'object' && !Array.isArray(o) ? o : {});
    const page = () => ({ url: L.href, path: L.pathname, referrer: ref, title: d.title, search: L.search });

    const add = (type, m) => {
      Object.assign(m, {
        type, messageId: uuid(), anonymousId: aid, sessionId: session(), timestamp: iso(),
        context: {
          page: page(), userAgent: n.userAgent, locale: n.language,
          screen: { width: screen.width, height: screen.height, density: w.devicePixelRatio },
          library: { name: 'tally.js', version: V }
        }
      });
      if (uid) m.userId = uid;
      let j;
      try { j = JSON.stringify(m); } catch (e) {   // circular, BigInt
        m.properties = m.traits = {};
        j = JSON.stringify(m);
      }
      if (bytes(j) > 32e3) return;                   // server's limit
      q.push(j);
      if (q.length > 19) flush();
      else if (!timer) timer = setTimeout(guard(flush), delay);
    };

    // text/plain + writeKey: no preflight. Retries keep messageIds (dedup).
    // Keepalive requests in flight carry 64 KiB at most.
    const post = (parts, beacon, tries) => {
      const body = '{"batch":[' + parts + '],"sentAt":"' + iso() + '","writeKey":' + JSON.stringify(key) + '}',
        size = bytes(body), ka = inflight + size < 65536;
      try {
        if (beacon && n.sendBeacon(url, new Blob([body], { type: 'text/plain' }))) return;
      } catch (e) {}
      const retry = () => {
        if (beacon || tries > 2) return;
        const r = { p: parts };
        waiting.push(r);
        setTimeout(guard(() => {
          const i = waiting.indexOf(r);
          if (i >= 0) { waiting.splice(i, 1); post(parts, 0, tries + 1); }
        }), 1000 << tries);
      };
      const done = guard((r) => {
        if (ka) inflight -= size;
        if (!r || r.status > 499 || r.status == 429) retry();
      });
      if (ka) inflight += size;
      try {
        fetch(url, { method: 'POST', body, keepalive: ka, headers: { 'Content-Type': 'text/plain' } })
          .then(done, () => done());
      } catch (e) { done(); }
    };

    // Batches under 60 kB; on pagehide, pending retries too.
    const flush = (beacon) => {
      beacon = beacon === true;
      clearTimeout(timer);
      timer = 0;
      if (beacon) waiting.splice(0).forEach((r) => post(r.p, 1, 0));
      while (q.length) {
        const parts = [q.shift()];
        let size = bytes(parts[0]);
        while (q.length && (size += bytes(q[0]) + 1) < 6e4) parts.push(q.shift());
        post(parts, beacon, 0);
      }
    };

    const pageview = () => {
      last = L.pathname + L.search;
      lastUrl = L.href;
      tally.page();
    };
    // A new path or query (not #hash) is a page view.
    const navigated = guard(() => {
      if (L.pathname + L.search != last) { ref = lastUrl; pageview(); }
    });

    const tally = {
      track(name, props) {
        if (name != null && name !== '') add('track', { event: ('' + name).slice(0, 200), properties: obj(props) });
      },
      page(props) {
        add('page', { properties: Object.assign(page(), obj(props)) });
      },
      identify(id, traits) {
        if (id && typeof id == 'object') { traits = id; id = null; }
        if (id != null && id !== '') uid = set('tally_uid', '' + id);
        add('identify', { traits: obj(traits) });
      },
      reset() {
        uid = set('tally_uid', '');
        aid = set('tally_aid', uuid());
        set('tally_sid', '');
      },
      flush,
      push(a) {
        if (a && a[0] != 'push' && tally[a[0]]) tally[a[0]].apply(tally, [].slice.call(a, 1));
      }
    };
    Object.keys(tally).forEach((k) => {
      const f = tally[k];
      tally[k] = guard((...a) => off || f.apply(tally, a));
    });
    tally.v = V;

    // Replay calls queued before load.
    const stub = w.tally;
    if (stub && stub.v) return;                      // loaded twice
    w.tally = tally;
    if (off) return;
    aid = get('tally_aid') || set('tally_aid', uuid());
    uid = get('tally_uid');
    for (let i = 0; stub && i < stub.length; i++) tally.push(stub[i]);

    const hide = guard(() => flush(true));
    w.addEventListener('pagehide', hide);
    d.addEventListener('visibilitychange', () => { if (d.visibilityState == 'hidden') hide(); });

    if (at('data-auto') == 'false') return;
    ['pushState', 'replaceState'].forEach((f) => {
      const orig = history[f];
      history[f] = function () {
        const r = orig.apply(this, arguments);
        setTimeout(navigated);
        return r;
      };
    });
    w.addEventListener('popstate', navigated);
    pageview();
  } catch (e) {}
})(window, document);
