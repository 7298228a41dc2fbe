// Client of tests/bench/llm_read.sh: times GET requests one after the other
// over one keep-alive connection, as a dashboard asks them.
//
//   node llm_read.js PLAN.json
//
// PLAN: { "base": "http://127.0.0.1:PORT", "key": "...", "requests": 200,
//         "warmup": 5, "rowSeconds": 20,
//         "rows": [ { "endpoint": "...", "range": "7d", "urls": ["/api/...", ...] } ] }
//
// For each row: `warmup` untimed requests, then up to `requests` timed ones
// (fewer when the row has run `rowSeconds`, but at least 10), cycling
// through its urls. Every answer must be 200 with a {"data": ...} body (the
// first is parsed; the others must start alike). Prints one line per row:
//
//   ROW <index> n=<timed> p50_us= p95_us= max_us= bytes=<first body> errors=<non-200 or bad>
//
// and exits 1 on a connection failure.
'use strict';

const fs = require('fs');
const http = require('http');

const plan = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const base = new URL(plan.base);

function get(path) {
	return new Promise((resolve, reject) => {
		const t0 = process.hrtime.bigint();
		const req = http.request({
			host: base.hostname, port: base.port, path, agent, method: 'GET',
			headers: { Authorization: `Bearer ${plan.key}` },
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const us = Number(process.hrtime.bigint() - t0) / 1000;
				resolve({ status: res.statusCode, body: Buffer.concat(chunks), us });
			});
			res.on('error', reject);
		});
		req.setTimeout(60000, () => req.destroy(new Error(`timeout: ${path}`)));
		req.on('error', reject);
		req.end();
	});
}

// nearest-rank percentile of sorted values
function pct(sorted, p) {
	if (sorted.length === 0) return 0;
	const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[i];
}

function ok(r, parse) {
	if (r.status !== 200) return false;
	if (!parse) return r.body.subarray(0, 8).toString() === '{"data":';
	try {
		return Object.prototype.hasOwnProperty.call(JSON.parse(r.body), 'data');
	} catch (e) {
		return false;
	}
}

async function main() {
	for (let i = 0; i < plan.rows.length; i++) {
		const row = plan.rows[i];
		const times = [];
		let errors = 0, bytes = 0, k = 0, firstError = '';
		const note = (r, path) => {
			errors++;
			if (!firstError) firstError = `${r.status} ${path}: ${r.body.subarray(0, 200).toString()}`;
		};
		for (let w = 0; w < plan.warmup; w++, k++) {
			const path = row.urls[k % row.urls.length];
			const r = await get(path);
			if (w === 0) bytes = r.body.length;
			if (!ok(r, w === 0)) note(r, path);
		}
		const t0 = Date.now();
		for (let n = 0; n < plan.requests; n++, k++) {
			if (n >= 10 && Date.now() - t0 > plan.rowSeconds * 1000) break;
			const path = row.urls[k % row.urls.length];
			const r = await get(path);
			if (!ok(r, false)) note(r, path);
			times.push(r.us);
		}
		times.sort((a, b) => a - b);
		process.stdout.write(`ROW ${i} n=${times.length} p50_us=${Math.round(pct(times, 50))} ` +
		    `p95_us=${Math.round(pct(times, 95))} max_us=${Math.round(times[times.length - 1] || 0)} ` +
		    `bytes=${bytes} errors=${errors}\n`);
		if (firstError) process.stderr.write(`llm_read.js: row ${i} (${row.endpoint} ${row.range}): ${firstError}\n`);
	}
	agent.destroy();
}

main().catch((e) => {
	process.stderr.write(`llm_read.js: ${e.message}\n`);
	process.exit(1);
});
