/**
 * `runWorker(options)`: takes the units of experiment grids from the queue at `options.queue` and
 * runs each as a child process (unit-process.ts) into the experiment's run root, which every
 * worker reaches at the same path (a shared filesystem). A worker killed mid-unit leaves a stalled
 * job, which BullMQ hands to another worker once its lock expires; that worker resumes the unit
 * from its newest checkpoint (a dead process's run-directory lock is stale, src/artifacts/lock.ts).
 */
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { isProcessAlive, readLock } from '../../artifacts/lock.js';
import { UserError } from '../../util/errors.js';
import { connectRedis } from './connection.js';
import { QUEUE_NAME, queueVersion, type UnitJobData } from './jobs.js';
import { runUnitProcess } from './unit-process.js';

export interface WorkerOptions {
  /** The queue's Redis URL, redis://HOST:PORT[/DB]. */
  readonly queue: string;
  /** Units run at once by this worker, each as a child process (default 1). */
  readonly concurrency?: number;
  /**
   * How long a job's lock lasts without renewal (BullMQ's lockDuration, default 30 s): a worker
   * silent for this long is taken for dead and its job handed on. Tests shorten it.
   */
  readonly lockDurationMs?: number;
  /** Stops the worker: running units stop at a step boundary with a checkpoint and go back to the queue. */
  readonly signal?: AbortSignal;
  /** Lines for people: a unit taken, done, failed or handed back. */
  readonly log?: (line: string) => void;
}

/** How long a unit whose shared stages are not done yet waits before it is taken again. */
const NEEDS_WAIT_MS = 2000;
/** How long a unit waits for the lock of its run directory, held by a process that is still stopping. */
const LOCK_WAIT_MS = 60_000;
/** Stalls of one job (its worker died) before it is failed rather than handed on. */
const MAX_STALLS = 3;

/** Waits until no live process on this machine, and no process elsewhere, holds the lock of run directory `dir`. */
async function lockFree(dir: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const holder = await readLock(dir).catch(() => undefined);
    if (holder === undefined || (holder.hostname === os.hostname() && !isProcessAlive(holder.pid))) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Puts `job` back in the queue after `delayMs`, without counting a try. */
async function handBack(job: Job, token: string | undefined, delayMs: number): Promise<never> {
  await job.moveToDelayed(Date.now() + delayMs, token);
  throw new DelayedError();
}

/** Runs a worker until `options.signal` aborts; rejects with a UserError when Redis is unreachable or a job is of another s3gan version. */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UserError(`concurrency: expected a whole number of units ≥ 1, got ${String(options.concurrency)}`);
  const log = options.log ?? (() => undefined);
  const version = queueVersion();
  const client = await connectRedis(options.queue);
  const queue = new Queue(QUEUE_NAME, { connection: client });
  const stopping = new AbortController();
  let refusal: UserError | undefined;

  const processor = async (job: Job<UnitJobData>, token?: string): Promise<{ host: string }> => {
    const data = job.data;
    const name = `${data.kind === 'cell' ? 'cells' : 'shared'}/${data.key}`;
    // 1. A job of another s3gan version could compute other numbers: refuse it and stop taking jobs.
    if (data.version !== version) {
      refusal ??= new UserError(`${name}: the grid was queued by s3gan ${data.version}, this worker runs s3gan ${version}; start workers of the same version as the command that ran 'experiment --queue'`);
      stopping.abort();
      return handBack(job, token, 0);
    }
    // 2. Its shared stages done (flows hold only the first adopter of each; see jobs.ts).
    for (const id of data.needs) {
      const state = await queue.getJobState(id);
      if (state === 'failed') throw new UnrecoverableError(`a shared stage it adopts failed (job ${id})`);
      if (state !== 'completed') return handBack(job, token, NEEDS_WAIT_MS);
    }
    if (!existsSync(data.cwd)) throw new UnrecoverableError(`the experiment's folder ${data.cwd} does not exist on ${os.hostname()}: every worker needs the shared filesystem at the same path`);
    // 3. The unit, once a process still stopping in its run directory (a worker killed just before) let go.
    await lockFree(data.dir, LOCK_WAIT_MS);
    log(`${name}: started`);
    const exit = await runUnitProcess(data, {
      jobId: String(job.id),
      signal: stopping.signal,
      onStage: (stage) => void job.updateProgress({ stage, host: os.hostname() }).catch(() => undefined),
    });
    log(`${name}: ${exit.kind === 'done' ? 'done' : exit.kind}${'message' in exit ? `: ${exit.message}` : ''}`);
    if (exit.kind === 'done') return { host: os.hostname() };
    if (exit.kind === 'user-error') throw new UnrecoverableError(exit.message);
    if (exit.kind === 'stopped') return handBack(job, token, 0);
    throw new Error(exit.message);
  };

  const lockDuration = options.lockDurationMs ?? 30_000;
  const worker = new Worker<UnitJobData>(QUEUE_NAME, processor, {
    connection: client,
    concurrency,
    lockDuration,
    stalledInterval: lockDuration,
    maxStalledCount: MAX_STALLS,
  });
  worker.on('error', () => undefined);
  const onAbort = () => stopping.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve) => {
      if (stopping.signal.aborted) resolve();
      stopping.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    // Waits for the running units, which stop at a step boundary and are handed back.
    await worker.close();
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await queue.close();
    client.disconnect();
  }
  if (refusal !== undefined) throw refusal;
}
