// Subscribers for tests/bench/stream.sh: holds N SSE connections to one
// stream and measures, for every `update` received, the delivery latency:
// receive time minus the publish time the publisher writes in the message
// (`timestamp`, ms). Prints "READY <connected>" on stdout once every
// connection has its snapshot, and on SIGTERM (or after BENCH_SUB_SECONDS)
// one line "SUBS connected=.. updates=.. p50_ms=.. p99_ms=.. max_ms=..".
//
// Environment: BENCH_SUB_URL (full URL, credential in ?token=),
// BENCH_SUB_COUNT [1000], BENCH_SUB_SECONDS [600].
import http from 'node:http';

const url = new URL(process.env.BENCH_SUB_URL);
const count = Number(process.env.BENCH_SUB_COUNT || 1000);
const seconds = Number(process.env.BENCH_SUB_SECONDS || 600);
const lat = [];
let connected = 0;
let snapshots = 0;
let ready = false;
const reqs = [];
const refused = {};

function open() {
  return new Promise((resolve) => {
    const req = http.get({
      host: url.hostname, port: url.port, path: url.pathname + url.search, agent: false,
      headers: { Accept: 'text/event-stream' },
    }, (res) => {
      if (res.statusCode !== 200) {
        refused[res.statusCode] = (refused[res.statusCode] || 0) + 1;
        res.resume(); resolve(); return;
      }
      connected++;
      let buf = '';
      let gotSnapshot = false;
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        const now = Date.now();
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let event = '';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data = line.slice(6);
          }
          if (event === 'snapshot' && !gotSnapshot) {
            gotSnapshot = true;
            snapshots++;
            resolve();
          } else if (event === 'update' && ready) {
            try { lat.push(now - Date.parse(JSON.parse(data).timestamp)); } catch { /* not ours */ }
          }
        }
      });
      res.on('error', () => {});
      res.on('end', () => { connected--; });
    });
    req.on('error', (err) => { refused[err.code] = (refused[err.code] || 0) + 1; resolve(); });
    reqs.push(req);
    setTimeout(resolve, 10000);
  });
}

function finish() {
  lat.sort((a, b) => a - b);
  const q = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.ceil(p * lat.length) - 1)] : -1);
  console.log(`SUBS connected=${connected} snapshots=${snapshots} updates=${lat.length} ` +
    `p50_ms=${q(0.5)} p99_ms=${q(0.99)} max_ms=${lat.length ? lat[lat.length - 1] : -1}`);
  for (const r of reqs) r.destroy();
  process.exit(0);
}

process.on('SIGTERM', finish);
process.on('SIGINT', finish);

// connect in waves of 100, as a thousand dashboards would not all arrive in the same millisecond
for (let i = 0; i < count; i += 100) {
  await Promise.all(Array.from({ length: Math.min(100, count - i) }, open));
}
ready = true;
console.log(`READY ${connected} ${snapshots} ${JSON.stringify(refused)}`);
setTimeout(finish, seconds * 1000);
