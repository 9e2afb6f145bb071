import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { once } from 'node:events';
import { acquireLock, isProcessAlive, LOCK_FILE, readLock } from '../../src/artifacts/lock.js';
import { openRunDir } from '../../src/artifacts/run-dir.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../temp.js';

/** A pid that is not running (pid_max on Linux is at most 2^22). */
const DEAD_PID = 4_194_304 + 12_345;

test('isProcessAlive tells this process from a dead pid', (t) => {
  t.true(isProcessAlive(process.pid));
  t.false(isProcessAlive(DEAD_PID));
});

test('the lock file records pid, host and start time, and release removes it', async (t) => {
  const dir = tempDir('s3gan-lock-');
  const lock = await acquireLock(dir);
  const info = await readLock(dir);
  t.is(info?.pid, process.pid);
  t.is(info?.hostname, os.hostname());
  t.regex(info?.startedAt ?? '', /^\d{4}-\d\d-\d\dT/);
  t.is(lock.path, path.join(dir, LOCK_FILE));
  await lock.release();
  await lock.release();
  t.is(await readLock(dir), undefined);
  t.deepEqual(await fs.readdir(dir), []);
});

test('a second lock in the same process is refused, naming the pid', async (t) => {
  const dir = tempDir('s3gan-lock-');
  const first = await openRunDir(dir, { resolvedConfig: {} });
  const error = await t.throwsAsync(openRunDir(dir, { resolvedConfig: {} }), { instanceOf: UserError });
  t.regex(error?.message ?? '', new RegExp(`^run directory ${dir} is locked by process ${process.pid} \\(started `));
  t.regex(error?.message ?? '', /run\.dir/);
  await first.close();
  const again = await openRunDir(dir, { resolvedConfig: {} });
  await again.close();
});

test('a stale lock (dead pid) is taken over', async (t) => {
  const dir = tempDir('s3gan-lock-');
  const stale = { pid: DEAD_PID, hostname: os.hostname(), startedAt: '2020-01-01T00:00:00.000Z', token: 'old' };
  await fs.writeFile(path.join(dir, LOCK_FILE), JSON.stringify(stale));
  const run = await openRunDir(dir, { resolvedConfig: {} });
  const info = await readLock(dir);
  t.is(info?.pid, process.pid);
  t.not(info?.token, 'old');
  await run.close();
  t.is(await readLock(dir), undefined);
});

test('a lock from another host is respected even though its pid cannot be checked', async (t) => {
  const dir = tempDir('s3gan-lock-');
  const foreign = { pid: DEAD_PID, hostname: `not-${os.hostname()}`, startedAt: '2020-01-01T00:00:00.000Z', token: 't' };
  await fs.writeFile(path.join(dir, LOCK_FILE), JSON.stringify(foreign));
  await t.throwsAsync(acquireLock(dir), {
    instanceOf: UserError,
    message: new RegExp(`locked by process ${DEAD_PID} on host not-`),
  });
});

test('an unreadable lock is respected while fresh and taken over once old', async (t) => {
  const dir = tempDir('s3gan-lock-');
  const lockPath = path.join(dir, LOCK_FILE);
  await fs.writeFile(lockPath, '');
  await t.throwsAsync(acquireLock(dir), { instanceOf: UserError, message: /is locked: .* is being written/ });
  const old = new Date(Date.now() - 60_000);
  await fs.utimes(lockPath, old, old);
  const lock = await acquireLock(dir);
  t.is((await readLock(dir))?.token, lock.info.token);
  await lock.release();
});

test('releasing after a takeover leaves the new owner its lock', async (t) => {
  const dir = tempDir('s3gan-lock-');
  const lock = await acquireLock(dir);
  const other = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), token: 'someone-else' };
  await fs.writeFile(lock.path, JSON.stringify(other));
  await lock.release();
  t.is((await readLock(dir))?.token, 'someone-else');
});

/** Starts a child node process that opens `dir` as a run directory and holds it until stdin closes. */
async function childHoldingRun(dir: string): Promise<ChildProcess> {
  const runDirModule = new URL('../../src/artifacts/run-dir.js', import.meta.url).href;
  const script = `
    const { openRunDir } = await import(${JSON.stringify(runDirModule)});
    const run = await openRunDir(${JSON.stringify(dir)}, { resolvedConfig: { child: true } });
    process.stdout.write('ready\\n');
    process.stdin.resume();
    process.stdin.on('end', async () => { await run.close(); process.stdout.write('closed\\n'); });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited early with code ${code}`)));
  });
  return child;
}

test('a run directory held by another process is refused, naming that pid; free again after it closes', async (t) => {
  const dir = tempDir('s3gan-lock-');
  const child = await childHoldingRun(dir);
  try {
    const error = await t.throwsAsync(openRunDir(dir, { resolvedConfig: {} }), { instanceOf: UserError });
    t.regex(error?.message ?? '', new RegExp(`is locked by process ${child.pid} \\(started `));
  } finally {
    child.stdin?.end();
    await once(child, 'exit');
  }
  t.is(await readLock(dir), undefined);
  const run = await openRunDir(dir, { resolvedConfig: {} });
  await run.close();
});

test('the lock of a killed process is stale and taken over', async (t) => {
  const dir = tempDir('s3gan-lock-');
  const child = await childHoldingRun(dir);
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
  t.is((await readLock(dir))?.pid, child.pid);
  const run = await openRunDir(dir, { resolvedConfig: {} });
  t.is((await readLock(dir))?.pid, process.pid);
  await run.close();
});
