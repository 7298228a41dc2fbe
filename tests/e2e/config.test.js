// SPEC §12: a bad configuration is refused at start, naming the file, the
// line and the key; the environment and flags override the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN } from './lib/stack.js';

/** A temp dir with a tally.conf whose text is made from the dir's path. */
function tmpConf(textFor) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-conf-'));
  const file = path.join(dir, 'tally.conf');
  fs.writeFileSync(file, textFor(dir));
  return { dir, file };
}

function run(prog, args, env = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TALLY_') || k === 'TALLY_BIN' || k === 'TALLY_SRC'));
  return spawnSync(path.join(BIN, prog), args, { env: { ...clean, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('tally-worker refuses a bad value at start, naming file, line and key', () => {
  const { dir, file } = tmpConf((dir) => `# comment\ndatabase = ${dir}/t.db\nworkers = many\n`);
  const r = run('tally-worker', ['--config', file]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: 'workers' must be an integer`));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('tallyctl refuses an unknown key, naming file, line and key', () => {
  const { dir, file } = tmpConf((dir) => `database = ${dir}/t.db\n\nsynchronus = full\n`);
  const r = run('tallyctl', ['--config', file, 'project', 'list']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /tally\.conf:3: unknown key 'synchronus'/);
  assert.ok(!fs.existsSync(path.join(dir, 't.db')), 'nothing was created');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a bad TALLY_* variable and a bad flag are refused with their names', () => {
  const { dir, file } = tmpConf((dir) => `database = ${dir}/t.db\n`);
  let r = run('tallyctl', ['--config', file, 'project', 'list'], { TALLY_SYNCHRONOUS: 'sometimes' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /TALLY_SYNCHRONOUS: 'synchronous' has no value 'sometimes'/);
  r = run('tallyctl', ['--config', file, '--max-batch-events', '0', 'project', 'list']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--max-batch-events: 'max_batch_events' must be an integer from 1/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('flags override the environment, which overrides the file', () => {
  const { dir, file } = tmpConf((dir) => `database = ${dir}/from-file.db\njwt_secret_file = ${dir}/jwt.secret\n`);
  let r = run('tallyctl', ['--config', file, 'init']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(dir, 'from-file.db')));
  r = run('tallyctl', ['--config', file, 'init'], { TALLY_DATABASE: `${dir}/from-env.db` });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(dir, 'from-env.db')));
  r = run('tallyctl', ['--config', file, '--database', `${dir}/from-flag.db`, 'init'], { TALLY_DATABASE: `${dir}/from-env2.db` });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(dir, 'from-flag.db')));
  assert.ok(!fs.existsSync(path.join(dir, 'from-env2.db')));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('tally-worker started without a FastCGI socket on fd 0 says so', () => {
  const { dir, file } = tmpConf((dir) => `database = ${dir}/empty.db\n`);
  const r = run('tally-worker', ['--config', file]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /fd 0 is not a FastCGI socket/);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A login-token secret file of `mode` in dir. */
function secretFile(dir, mode = 0o600, text = 'a'.repeat(64)) {
  const f = path.join(dir, 'jwt.secret');
  fs.writeFileSync(f, text, { mode });
  fs.chmodSync(f, mode);
  return f;
}

test('the worker refuses to start without a usable jwt_secret_file, naming the file', () => {
  const cases = [
    ['missing', () => {}, /jwt_secret_file .*jwt\.secret: No such file/],
    ['readable by others', (dir) => secretFile(dir, 0o644), /mode 644 lets others read or change it/],
    ['too short', (dir) => secretFile(dir, 0o600, 'short'), /shorter than 32 bytes/],
  ];
  for (const [what, make, message] of cases) {
    const { dir, file } = tmpConf((dir) => `database = ${dir}/w.db\njwt_secret_file = ${dir}/jwt.secret\n`);
    assert.equal(run('tallyctl', ['--config', file, 'migrate']).status, 0);
    make(dir);
    const sock = path.join(dir, 'w.sock');
    const r = spawnSync('spawn-fcgi', ['-n', '-s', sock, '--', path.join(BIN, 'tally-worker'), '--config', file],
      { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 1, what);
    assert.match(r.stderr, message, what);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the worker refuses to serve a database whose schema is behind, unless auto_migrate', () => {
  const { dir, file } = tmpConf((dir) => `database = ${dir}/empty.db\njwt_secret_file = ${dir}/jwt.secret\n`);
  secretFile(dir);
  const sock = path.join(dir, 'w.sock');
  let r = spawnSync('spawn-fcgi', ['-n', '-s', sock, '--', path.join(BIN, 'tally-worker'), '--config', file],
    { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /schema version 0, this build needs \d+: run 'tallyctl migrate'/);
  fs.rmSync(sock, { force: true });
  // with auto_migrate the worker migrates and then serves: stop it once it has
  const child = spawnSync('timeout', ['-s', 'TERM', '3', 'spawn-fcgi', '-n', '-s', sock, '--',
    path.join(BIN, 'tally-worker'), '--config', file, '--auto-migrate', 'on', '--workers', '1'],
  { encoding: 'utf8', timeout: 20000 });
  assert.match(child.stderr, /worker pool started/);
  r = run('tallyctl', ['--config', file, 'migrate']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\(0 applied now\)/, 'the worker had applied every migration');
  fs.rmSync(dir, { recursive: true, force: true });
});
