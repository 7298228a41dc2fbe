// The worker pool's process model: a child that dies is replaced, and
// SIGTERM lets each child finish the requests in hand (their rows are
// committed before they are answered) before the pool exits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startStack, expectStatus, uid } from './lib/stack.js';

let stack;
let t;

before(async () => {
  stack = await startStack({ workers: 2 });
  t = await stack.tenant('pool');
});

after(async () => {
  if (stack) await stack.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function poolPid() {
  return Number(fs.readFileSync(path.join(stack.varDir, 'worker.pid'), 'utf8').trim());
}

function comm(pid) {
  try { return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim(); } catch { return ''; }
}

function allChildren(pid) {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The worker processes: the pool's children but its realtime publisher (docs/realtime.md). */
function children(pid) {
  return allChildren(pid).filter((c) => comm(c) !== 'tally-publisher');
}

function publisher(pid) {
  return allChildren(pid).find((c) => comm(c) === 'tally-publisher');
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

test('a worker process killed by SIGKILL is replaced and the pool keeps answering', async () => {
  const parent = poolPid();
  const before = children(parent);
  assert.equal(before.length, 2, `two worker processes under the pool parent, found ${before}`);
  process.kill(before[0], 'SIGKILL');

  let now = [];
  for (let i = 0; i < 50; i++) {
    now = children(parent);
    if (now.length === 2 && !now.includes(before[0])) break;
    await sleep(100);
  }
  assert.equal(now.length, 2, 'the pool is back to two processes');
  assert.ok(!now.includes(before[0]), 'the killed process is gone');
  assert.ok(now.includes(before[1]), 'the other process was left alone');

  for (let i = 0; i < 40; i++) {
    const res = await stack.post('/api/v1/events', { event: 'after-crash', userId: 'u', messageId: uid('crash') }, { key: t.ingest });
    expectStatus(stack, res, 202);
  }
  const restarted = stack.workerLog().filter((l) => l.level === 'warn' && l.msg === `worker ${before[0]} exited (signal 9); starting another`);
  assert.equal(restarted.length, 1, 'the pool logged the replacement');
});

test('the realtime publisher is one more child, replaced when it dies', async () => {
  const parent = poolPid();
  const pub = publisher(parent);
  assert.ok(pub, 'a tally-publisher child');
  process.kill(pub, 'SIGKILL');
  let again;
  for (let i = 0; i < 40; i++) {
    again = publisher(parent);
    if (again && again !== pub) break;
    await sleep(100);
  }
  assert.ok(again && again !== pub, 'another publisher was started');
  assert.equal(children(parent).length, 2, 'the workers were left alone');
});

test('SIGTERM: every request answered 2xx during shutdown is stored, then the pool exits', async () => {
  const parent = poolPid();
  const clients = 16;
  const perBatch = 200;
  const sent = [];
  const inflight = Array.from({ length: clients }, async (_, c) => {
    const results = [];
    for (let b = 0; b < 6; b++) {
      const user = `term-${c}-${b}`;
      const events = Array.from({ length: perBatch }, (_, i) => ({ event: 'drain', userId: user, messageId: `${user}-${i}` }));
      try {
        const res = await stack.post('/api/v1/events', { events }, { key: t.ingest });
        results.push({ user, status: res.status, accepted: res.body && res.body.accepted });
      } catch (err) {
        results.push({ user, status: 0 });
      }
    }
    return results;
  });
  await sleep(150);
  process.kill(parent, 'SIGTERM');
  for (const r of await Promise.all(inflight)) sent.push(...r);

  for (let i = 0; i < 100 && alive(parent); i++) await sleep(100);
  assert.ok(!alive(parent), 'the pool parent exited after SIGTERM');

  const acked = sent.filter((r) => r.status === 202);
  assert.ok(acked.length > 0, 'some batches were answered before the pool went away');
  for (const r of sent) assert.ok([202, 502, 503, 0].includes(r.status), `unexpected status ${r.status}`);

  await stack.restart();
  for (const r of acked) {
    const res = await stack.get(`/api/v1/events?userId=${r.user}&limit=1000`, { key: t.secret });
    expectStatus(stack, res, 200);
    assert.equal(res.body.data.length, perBatch, `batch ${r.user} was acknowledged, so all of it is stored`);
  }
});
