import test from 'ava';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { runExperiment } from '../../src/index.js';
import { CLI, s3gan, tempDir } from '../cli/helpers.js';
import { writeMnistSubset } from '../cli/mnist-idx.js';

// CI installs redis-server (setup.sh): there a missing server fails these tests rather than skipping them.
const HAVE_REDIS = spawnSync('redis-server', ['--version']).status === 0;
const queueTest = HAVE_REDIS || process.env.CI !== undefined ? test.serial : test.skip;
const reason = HAVE_REDIS ? '' : " (skipped: no redis-server; install Debian's redis-server)";

const root = tempDir('s3gan-queue-');
// One decode cache for every process, as in experiment.test.ts: data.cacheDir is part of each cell's config.
const cacheHome = path.join(root, 'cache');
const env = { ...process.env, XDG_CACHE_HOME: cacheHome, S3GAN_QUIET_BACKEND: '1' };
const mnistDir = writeMnistSubset(path.join(root, 'mnist-small'), { train: 400, test: 200 });
const TINY_GRID = 'tests/experiment/fixtures/tiny.yaml';
const SET = { 'data.path': mnistDir, 'data.cacheDir': path.join(cacheHome, 's3gan') };
const DATA = Object.entries(SET).flatMap(([key, value]) => ['--set', `${key}=${value}`]);
/** Workers hand a silent worker's unit on after 2 s instead of 30. */
const LOCK = ['--lock-duration-ms', '2000'];
const QUEUE = 's3gan-experiment';

let redis: ChildProcess | undefined;
let url = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

test.before(async () => {
  if (!HAVE_REDIS) return;
  const port = await freePort();
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => undefined);
  for (let i = 0; ; i++) {
    try {
      await client.connect();
      await client.ping();
      break;
    } catch (error) {
      if (i > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  client.disconnect();
});

test.after.always(() => {
  redis?.kill('SIGTERM');
});

async function flushRedis(): Promise<void> {
  const client = new Redis(url);
  await client.flushall();
  client.disconnect();
}

async function jobCount(): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE, { connection: client });
  const counts = await queue.getJobCounts();
  await queue.close();
  client.disconnect();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

interface Running {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function start(args: readonly string[], extraEnv: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...env, ...extraEnv } });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

const worker = (extraEnv: Record<string, string> = {}) => start(['worker', '--queue', url, ...LOCK], extraEnv);

async function stopWorker(w: Running): Promise<void> {
  w.child.kill('SIGTERM');
  await w.exited;
}

async function until(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** results.csv without the wall-time rows, which differ between any two runs. */
function csvWithoutWallTime(out: string): string[] {
  return readFileSync(path.join(out, 'results.csv'), 'utf8')
    .split('\r\n')
    .filter((line) => !line.includes(',wall_seconds,'));
}

function evalNumbers(out: string, id: string): [string, number][] {
  const file = path.join(out, 'cells', id, 'eval/results.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { metrics: { metric: string; value: number }[] }).metrics.map((m) => [m.metric, m.value]);
}

queueTest(`a tiny grid run by 2 workers gives the serial run's results.csv; enqueuing it again adds no jobs${reason}`, async (t) => {
  await flushRedis();
  const serial = path.join(root, 'serial');
  await runExperiment({ config: TINY_GRID, out: serial, set: SET });

  const out = path.join(root, 'queued');
  const workers = [worker(), worker()];
  const queued = start(['experiment', '--config', TINY_GRID, '--out', out, '--queue', url, ...DATA]);
  t.is(await queued.exited, 0, queued.output());
  t.regex(queued.output(), /7 jobs added, 0 already there/);
  t.deepEqual(csvWithoutWallTime(out), csvWithoutWallTime(serial));
  t.true(csvWithoutWallTime(out).length > 8);
  for (const file of ['table.md', 'report.html', 'plots/fid-vs-label-fraction.png']) t.true(existsSync(path.join(out, file)), file);
  // Both workers took units.
  for (const w of workers) t.regex(w.output(), /: done/, w.output());

  const jobs = await jobCount();
  t.is(jobs, 7);
  const again = s3gan(['experiment', '--config', TINY_GRID, '--out', out, '--queue', url, ...DATA], { cacheHome });
  t.is(again.code, 0, again.stderr);
  t.regex(again.stderr, /0 jobs added, 7 already there/);
  t.is(await jobCount(), jobs);
  await Promise.all(workers.map(stopWorker));
});

queueTest(`a worker killed mid-cell: another worker resumes the cell, with the numbers of an uninterrupted run${reason}`, async (t) => {
  await flushRedis();
  // One cell with enough GAN steps to be killed in the middle of, checkpointed at every step.
  const grid = path.join(root, 'one-cell.yaml');
  writeFileSync(grid, `base: ${path.resolve('tests/experiment/fixtures/tiny-base.yaml')}\nset: [gan.steps=30]\nmethods: [s2gan]\nfractions: [0.1]\nseeds: [0]\neval: { samples: 200, metrics: [fid, label-accuracy] }\n`);
  const id = 's2gan-f0.1-s0';
  const uninterrupted = path.join(root, 'one-cell-uninterrupted');
  await runExperiment({ config: grid, out: uninterrupted, set: SET });

  const out = path.join(root, 'one-cell-killed');
  const first = worker();
  const queued = start(['experiment', '--config', grid, '--out', out, '--queue', url, ...DATA]);
  const checkpoints = path.join(out, 'cells', id, 'gan/checkpoints');
  await until(() => existsSync(checkpoints) && readdirSync(checkpoints).length >= 2, 'the cell to write checkpoints');
  // The worker and its unit die at once, as when their machine goes away: the unit's run-directory
  // lock stays behind, held by a dead process.
  const lock = JSON.parse(readFileSync(path.join(out, 'cells', id, '.lock'), 'utf8')) as { pid: number };
  first.child.kill('SIGKILL');
  process.kill(lock.pid, 'SIGKILL');
  await first.exited;
  t.false(existsSync(path.join(out, 'cells', id, 'eval/results.json')), 'killed before the cell finished');
  t.true(existsSync(path.join(out, 'cells', id, '.lock')), 'the dead unit left its lock');

  const second = worker();
  t.is(await queued.exited, 0, queued.output());
  t.regex(second.output(), new RegExp(`cells/${id}: done`), second.output());
  t.deepEqual(evalNumbers(out, id), evalNumbers(uninterrupted, id));
  t.deepEqual(csvWithoutWallTime(out), csvWithoutWallTime(uninterrupted));
  // The cell was started twice: by the killed worker and by the one that finished it.
  t.is(readFileSync(path.join(out, 'logs', `${id}.log`), 'utf8').match(/ cell s2gan-f0\.1-s0\n/g)?.length, 2);
  await stopWorker(second);
});

queueTest(`a worker of another s3gan version refuses the job with a clear message and leaves it queued${reason}`, async (t) => {
  await flushRedis();
  const out = path.join(root, 'other-version');
  const queued = start(['experiment', '--config', TINY_GRID, '--out', out, '--queue', url, ...DATA]);
  await until(() => queued.output().includes('jobs added'), 'the jobs to be added', 60_000);
  const stranger = worker({ S3GAN_TEST_VERSION: '0.0.0-other' });
  t.is(await stranger.exited, 2, stranger.output());
  t.regex(stranger.output(), /s3gan: error: .*queued by s3gan \d+\.\d+\.\d+[^,]*, this worker runs s3gan 0\.0\.0-other/);
  t.false(existsSync(path.join(out, 'cells')), 'nothing run');
  queued.child.kill('SIGINT');
  await queued.exited;
  t.is(await jobCount(), 7);
});

queueTest(`a unit failing on bad input is not retried, and experiment --queue stops with its error, exit 2${reason}`, async (t) => {
  await flushRedis();
  const out = path.join(root, 'bad-input');
  const w = worker();
  const missing = path.join(root, 'no-such-mnist');
  const queued = start(['experiment', '--config', TINY_GRID, '--out', out, '--queue', url, '--set', `data.path=${missing}`, '--set', `data.cacheDir=${SET['data.cacheDir']}`]);
  t.is(await queued.exited, 2, queued.output());
  t.regex(queued.output(), new RegExp(`s3gan: error: shared pretrain-[0-9a-f]{16} failed: .*${missing}.*\\(log: ${out}/logs/shared-pretrain-`));
  await stopWorker(w);
  const client = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE, { connection: client });
  const failed = await queue.getFailed();
  await queue.close();
  client.disconnect();
  // Tried once: a user error is not retried (the job allows 3 tries for crashes).
  t.deepEqual(failed.filter((job) => job.name.startsWith('shared pretrain-')).map((job) => job.attemptsMade), [1]);
  t.is(w.output().match(/shared\/pretrain-[0-9a-f]+: started/g)?.length, 1, w.output());
});

test('with Redis unreachable, experiment --queue and worker exit 2 naming the URL, and write nothing', async (t) => {
  const port = await freePort();
  const down = `redis://127.0.0.1:${port}`;
  const out = path.join(root, 'unreachable');
  const queued = s3gan(['experiment', '--config', TINY_GRID, '--out', out, '--queue', down, ...DATA], { cacheHome });
  t.is(queued.code, 2, queued.stderr);
  t.is(queued.stderr.trim().split('\n').length, 1, queued.stderr);
  t.regex(queued.stderr, new RegExp(`--queue ${down}: cannot reach Redis`));
  t.false(existsSync(out));
  const w = s3gan(['worker', '--queue', down]);
  t.is(w.code, 2, w.stderr);
  t.regex(w.stderr, new RegExp(`--queue ${down}: cannot reach Redis`));
  const bad = s3gan(['experiment', '--config', TINY_GRID, '--out', out, '--queue', 'http://localhost:6379', ...DATA], { cacheHome });
  t.is(bad.code, 2, bad.stderr);
  t.regex(bad.stderr, /--queue http:\/\/localhost:6379: expected a redis:\/\/ or rediss:\/\/ URL/);
  t.false(existsSync(out));
});
