/**
 * `s3gan experiment --queue URL`: the grid's units as BullMQ jobs (jobs.ts), run by `s3gan worker`s
 * on any machine sharing the run root; this process adds the jobs, follows them on one progress
 * line, and returns once every unit is done. Jobs already in the queue are not added again, and
 * failed ones of this grid are tried again, so rerunning the same command continues the grid.
 */
import { FlowProducer, Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { UserError } from '../../util/errors.js';
import { InterruptedError } from '../../util/interrupt.js';
import { formatDuration, type Progress } from '../../util/progress.js';
import type { Grid, GridUnit } from '../grid.js';
import { unitLogFile } from '../run-unit.js';
import { gridFlows, QUEUE_NAME, queueVersion, unitJobId } from './jobs.js';

export interface QueuedGridOptions {
  /** The queue's Redis URL, redis://HOST:PORT[/DB]. */
  readonly queue: string;
  /** The experiment's output folder (absolute): the run root the workers share. */
  readonly out: string;
  /** Arguments of `s3gan experiment` that plan the same grid in a worker (the experiment file, --out, --set). */
  readonly args: readonly string[];
  readonly progress: Progress;
  readonly log: (line: string) => void;
  /** Stops following (the workers go on). */
  readonly signal?: AbortSignal;
}

/** How often the jobs' states are read. */
const FOLLOW_INTERVAL_MS = 500;

function unitName(unit: GridUnit): string {
  return `${unit.kind === 'cell' ? 'cells' : 'shared'}/${unit.key}`;
}

/** Adds the grid's jobs that are not in the queue yet and retries its failed ones; returns how many were added. */
async function enqueue(client: Redis, queue: Queue, grid: Grid, options: QueuedGridOptions): Promise<number> {
  const units: GridUnit[] = [...grid.shared, ...grid.cells];
  const before = await Promise.all(units.map((unit) => queue.getJobState(unitJobId(unit))));
  const producer = new FlowProducer({ connection: client });
  try {
    await producer.addBulk(gridFlows(grid, { out: options.out, cwd: process.cwd(), args: options.args, version: queueVersion() }));
  } finally {
    await producer.close();
  }
  for (const [i, state] of before.entries()) {
    if (state === 'failed') await (await queue.getJob(unitJobId(units[i])))?.retry('failed');
  }
  return before.filter((state) => state === 'unknown').length;
}

/**
 * Enqueues `grid` through `client` (connectRedis of `options.queue`, left open for the caller to
 * close) and waits until every unit is done; a failed unit rejects with its error.
 */
export async function runQueuedGrid(grid: Grid, client: Redis, options: QueuedGridOptions): Promise<void> {
  const queue = new Queue(QUEUE_NAME, { connection: client });
  try {
    const units: GridUnit[] = [...grid.shared, ...grid.cells];
    const added = await enqueue(client, queue, grid, options);
    options.log(`queue ${options.queue}: ${added} jobs added, ${units.length - added} already there; start 's3gan worker --queue ${options.queue}' on each machine`);
    // Follows the jobs until every one is done; a line per unit done, as the serial runner writes.
    const reported = new Set<string>();
    for (;;) {
      const jobs = await Promise.all(units.map(async (unit) => ({ unit, job: (await queue.getJob(unitJobId(unit))) as Job | undefined })));
      const states = await Promise.all(jobs.map(async ({ unit, job }) => ({ unit, job, state: job === undefined ? 'unknown' : await job.getState() })));
      const running: string[] = [];
      for (const { unit, job, state } of states) {
        if (state === 'failed') {
          throw new UserError(`${unit.kind} ${unit.key} failed: ${job?.failedReason ?? 'no reason given'} (log: ${unitLogFile(options.out, unit)})`);
        }
        if (state === 'unknown') throw new UserError(`queue ${options.queue}: the job of ${unitName(unit)} is gone (was the queue emptied?); rerun the same command to add it again`);
        if (state === 'completed' && !reported.has(unit.key)) {
          reported.add(unit.key);
          const seconds = job?.finishedOn !== undefined && job.processedOn !== undefined ? (job.finishedOn - job.processedOn) / 1000 : 0;
          options.log(`${unitName(unit)}: done in ${formatDuration(seconds)}`);
          if (unit.kind === 'cell') options.progress.tick(1);
        }
        if (state === 'active') {
          const stage = (job?.progress as { stage?: unknown } | undefined)?.stage;
          running.push(typeof stage === 'string' ? `${unit.key} ${stage}` : unit.key);
        }
      }
      options.progress.tick(0, { now: running.join(', ') });
      if (reported.size === units.length) return;
      if (options.signal?.aborted === true) break;
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_INTERVAL_MS));
    }
    throw new InterruptedError(`stopped following the grid; the workers go on with it; rerun the same command to follow it again`, 'SIGINT');
  } finally {
    await queue.close();
  }
}
