// A real tally stack (nginx + the FastCGI worker pool + SQLite) for one test
// file, in its own temporary directory and on its own loopback ports, plus
// the admin CLI and small HTTP helpers. No mocks: every request goes through
// nginx to the workers.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');

// make check sets both; a developer running `node --test` by hand gets the repo.
export const SRC = process.env.TALLY_SRC || repoRoot;
export const BIN = process.env.TALLY_BIN || SRC;

/** A loopback TCP port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts a stack; resolves to a Stack whose stop() must run in an `after` hook.
 * `bin` overrides the directory of tally-worker/tallyctl (e.g. a wrapper).
 * `env` adds TALLY_* settings (TALLY_SIGNUP: 'off', …). Unless `env` names
 * them, the per-key limits are set so high that no test meets them (the
 * X-RateLimit-* path still runs); rate_limit.test.js sets its own.
 */
export async function startStack({ workers = 2, threads, bin = BIN, env: extra = {} } = {}) {
  const varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-e2e-'));
  let lastErr;
  // Another process may grab a port between freePort() and nginx's bind: retry.
  for (let attempt = 0; attempt < 3; attempt++) {
    const httpPort = await freePort();
    let httpsPort = await freePort();
    while (httpsPort === httpPort) httpsPort = await freePort();
    let streamPort = await freePort();
    while (streamPort === httpPort || streamPort === httpsPort) streamPort = await freePort();
    const env = {
      ...process.env,
      TALLY_VAR: varDir,
      TALLY_HTTP_PORT: String(httpPort),
      TALLY_HTTPS_PORT: String(httpsPort),
      TALLY_STREAM_PORT: String(streamPort),
      TALLY_BIN: bin,
      TALLY_WORKERS: String(workers),
      TALLY_RATE_LIMIT_PER_MIN: '100000000',
      TALLY_RATE_LIMIT_PER_IP_PER_MIN: '100000000',
      ...extra,
    };
    if (threads) env.TALLY_THREADS = String(threads);
    const stack = new Stack(varDir, httpPort, httpsPort, env, bin);
    try {
      await run('sh', [path.join(SRC, 'scripts', 'stack.sh'), 'start'], { env, timeout: 60000 });
      return stack;
    } catch (err) {
      lastErr = err;
      await stack.stop().catch(() => {});
    }
  }
  throw new Error(`the stack did not start: ${lastErr && (lastErr.stderr || lastErr.message)}\n` +
    readLogs(varDir));
}

function readLogs(varDir) {
  const dir = path.join(varDir, 'log');
  if (!fs.existsSync(dir)) return '';
  return fs.readdirSync(dir)
    .map((f) => `--- ${f}\n${fs.readFileSync(path.join(dir, f), 'utf8').slice(-4000)}`)
    .join('\n');
}

export class Stack {
  constructor(varDir, httpPort, httpsPort, env, bin = BIN) {
    this.varDir = varDir;
    this.bin = bin;
    this.httpPort = httpPort;
    this.httpsPort = httpsPort;
    this.env = env;
    this.conf = path.join(varDir, 'tally.conf');
    this.base = `http://127.0.0.1:${httpPort}`;
    this.httpsBase = `https://127.0.0.1:${httpsPort}`;
  }

  /** Stops nginx and the worker pool and starts them again on the same state and ports. */
  async restart() {
    const script = path.join(SRC, 'scripts', 'stack.sh');
    await run('sh', [script, 'stop'], { env: this.env, timeout: 60000 });
    await run('sh', [script, 'start'], { env: this.env, timeout: 60000 });
  }

  async stop() {
    if (this.stopped) return;
    this.stopped = true;
    await run('sh', [path.join(SRC, 'scripts', 'stack.sh'), 'stop'], { env: this.env, timeout: 60000 });
    if (!process.env.TALLY_E2E_KEEP) fs.rmSync(this.varDir, { recursive: true, force: true });
  }

  /** Runs tallyctl against this stack's config; rejects on a non-zero exit. */
  async ctl(...args) {
    const { stdout, stderr } = await run(path.join(this.bin, 'tallyctl'), ['--config', this.conf, ...args],
      { env: this.env, timeout: 120000 });   // a prune under load may take its time
    return { stdout, stderr };
  }

  /** Creates a project; resolves to { slug, id }. */
  async project(slug, name = slug) {
    const { stdout, stderr } = await this.ctl('project', 'create', slug, name);
    const m = /\(id (\d+)\)/.exec(stderr);
    return { slug: stdout.trim(), id: m ? Number(m[1]) : undefined };
  }

  /** Creates a key; resolves to { key, id } (the key as printed once, its numeric id). */
  async key(slug, kind, name) {
    const args = ['key', 'create', slug, kind];
    if (name) args.push('--name', name);
    const { stdout, stderr } = await this.ctl(...args);
    const key = stdout.trim();
    let id;
    const m = /key (\d+) for project/.exec(stderr);
    if (m) id = Number(m[1]);
    else {
      // fall back on `key list`, matching the visible prefix
      const { stdout: list } = await this.ctl('key', 'list', slug);
      for (const line of list.split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols.length >= 4 && key.startsWith(cols[3])) id = Number(cols[0]);
      }
    }
    return { key, id };
  }

  async revoke(id) {
    return this.ctl('key', 'revoke', String(id));
  }

  /** A project with one ingest and one secret key. */
  async tenant(slug) {
    const project = await this.project(slug);
    const ingest = await this.key(slug, 'ingest', `${slug}-ingest`);
    const secret = await this.key(slug, 'secret', `${slug}-secret`);
    return { ...project, ingest: ingest.key, secret: secret.key, ingestId: ingest.id, secretId: secret.id };
  }

  /**
   * One HTTP request through nginx.
   *   opts.key     sent as Authorization: Bearer
   *   opts.json    a value sent as an application/json body
   *   opts.body    a string or Buffer sent as is (no Content-Type unless given)
   *   opts.headers extra headers
   *   opts.https   use the TLS listener
   *   opts.agent   an http.Agent (e.g. keep-alive, to stay on one connection)
   * Resolves to { status, headers, text, raw (the body's bytes), body (parsed JSON or undefined) }.
   */
  request(method, urlPath, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    let body = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['Content-Type'] = 'application/json';
      }
    }
    if (opts.key) headers.Authorization = `Bearer ${opts.key}`;
    if (body !== undefined) {
      if (typeof body === 'string') body = Buffer.from(body, 'utf8');
      headers['Content-Length'] = String(body.length);
    }
    const useTls = !!opts.https;
    const mod = useTls ? https : http;
    const reqOpts = {
      host: '127.0.0.1',
      port: useTls ? this.httpsPort : this.httpPort,
      method,
      path: urlPath,
      headers,
      agent: opts.agent || false,
    };
    if (useTls) reqOpts.ca = fs.readFileSync(path.join(this.varDir, 'tls', 'cert.pem'));
    return new Promise((resolve, reject) => {
      const req = mod.request(reqOpts, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = raw.toString('utf8');
          let parsed;
          try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
          resolve({ status: res.statusCode, headers: res.headers, text, raw, body: parsed, method, path: urlPath });
        });
        res.on('error', reject);
      });
      req.setTimeout(30000, () => req.destroy(new Error(`${method} ${urlPath}: timed out`)));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  get(p, opts) { return this.request('GET', p, opts); }
  post(p, json, opts = {}) { return this.request('POST', p, { ...opts, json }); }
  del(p, opts) { return this.request('DELETE', p, opts); }

  /** Every event of the project that `key` reads, walking all pages. */
  async allEvents(key, query = '', limit = 1000) {
    const out = [];
    let cursor = null;
    for (let page = 0; page < 10000; page++) {
      const q = new URLSearchParams(query);
      q.set('limit', String(limit));
      if (cursor) q.set('cursor', cursor);
      const res = await this.get(`/api/v1/events?${q}`, { key });
      expectStatus(this, res, 200);
      out.push(...res.body.data);
      cursor = res.body.next_cursor;
      if (!cursor) return out;
    }
    throw new Error('pagination did not end');
  }

  /** The worker's JSON log lines (one per request). */
  workerLog() {
    const file = path.join(this.varDir, 'log', 'worker.log');
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => {
      try { return JSON.parse(l); } catch { return { raw: l }; }
    });
  }

  /** Every log file's text (for evidence in failure messages and log checks). */
  logText() {
    const dir = path.join(this.varDir, 'log');
    if (!fs.existsSync(dir)) return '';
    return fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
  }

  /** The log lines that mention a request id. */
  logFor(requestId) {
    if (!requestId) return [];
    return this.logText().split('\n').filter((l) => l.includes(requestId));
  }
}

/** A short description of a response for assertion messages, with its log lines. */
export function explain(stack, res) {
  const rid = res.headers && res.headers['x-request-id'];
  const logs = stack ? stack.logFor(rid) : [];
  return `${res.method} ${res.path} -> ${res.status} ${res.text.slice(0, 600)}` +
    (logs.length ? `\n  log: ${logs.join('\n  log: ')}` : '');
}

/** Asserts the status, reporting body and log lines when it differs. */
export function expectStatus(stack, res, status) {
  if (res.status !== status) {
    throw new Error(`expected HTTP ${status}, got: ${explain(stack, res)}`);
  }
}

/**
 * Asserts a §8 error body: {error, message, status, request_id, details[]},
 * the given status and code, and request_id equal to the X-Request-Id header.
 */
export function expectError(stack, res, status, code) {
  expectStatus(stack, res, status);
  const b = res.body;
  const where = explain(stack, res);
  if (!b || typeof b !== 'object') throw new Error(`error body is not JSON: ${where}`);
  if (code !== undefined && b.error !== code) throw new Error(`expected error "${code}": ${where}`);
  if (typeof b.error !== 'string' || !b.error) throw new Error(`no error code: ${where}`);
  if (typeof b.message !== 'string') throw new Error(`no message: ${where}`);
  if (b.status !== status) throw new Error(`body status ${b.status} != ${status}: ${where}`);
  if (!Array.isArray(b.details)) throw new Error(`details is not an array: ${where}`);
  if (!b.request_id || b.request_id !== res.headers['x-request-id']) {
    throw new Error(`request_id ${b.request_id} != X-Request-Id ${res.headers['x-request-id']}: ${where}`);
  }
  const ct = res.headers['content-type'] || '';
  if (!ct.startsWith('application/json')) throw new Error(`Content-Type ${ct}: ${where}`);
  return b;
}

/** A unique string for ids within one run. */
let seq = 0;
export function uid(prefix = 'id') {
  seq += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${seq}`;
}
