/**
 * What an experiment grid looks like in its BullMQ queue: one job per unit (shared stage or cell),
 * with the hash of the unit's resolved config as job id, so enqueuing the same grid twice adds
 * nothing (the config holds the unit's absolute run directory, so two grids never share an id).
 *
 * A cell runs after the shared stages it adopts. BullMQ flows are trees (a job has one parent), and
 * a pretraining is adopted by every labelling and cell, so each shared stage is a flow child of
 * the first unit that adopts it; a unit taken before its other shared stages are done is put back
 * for a little while by the worker (worker.ts), and fails when one of them failed.
 */
import type { FlowJob } from 'bullmq';
import { s3ganVersion } from '../../artifacts/manifest.js';
import { configHash } from '../../config/hash.js';
import type { Grid, GridUnit } from '../grid.js';

/**
 * Tries of a unit whose process crashed (a bug, out of memory); a user error fails it at once, and
 * a stalled job (its worker died) is handed on without counting as a try.
 */
const ATTEMPTS = 3;
const RETRY_DELAY_MS = 10_000;

/** The queue every experiment's jobs go to; workers take the jobs of any grid. */
export const QUEUE_NAME = 's3gan-experiment';

/**
 * Tests only: the s3gan version this process claims, to check that a worker refuses the jobs of
 * another version. Never set it otherwise.
 */
export const TEST_VERSION_ENV = 'S3GAN_TEST_VERSION';

/** The s3gan version stamped on jobs and checked by workers. */
export function queueVersion(): string {
  return process.env[TEST_VERSION_ENV] ?? s3ganVersion();
}

/** A job's data: how a worker anywhere on the shared filesystem runs the unit. */
export interface UnitJobData {
  /** The s3gan version of the process that enqueued the grid; a worker of another version refuses it. */
  readonly version: string;
  readonly kind: GridUnit['kind'];
  /** The unit's key in the grid ('s3gan-f0.1-s0', 'pretrain-<hash>'). */
  readonly key: string;
  /** The experiment's output folder: the run root all workers share (absolute). */
  readonly out: string;
  /** The unit's run directory (absolute). */
  readonly dir: string;
  /** The working directory of the enqueuing command, where relative paths of the experiment file resolve. */
  readonly cwd: string;
  /** Arguments of `s3gan experiment` that plan the grid (the experiment file, --out, --set). */
  readonly args: readonly string[];
  /** Job ids of the shared stages the unit adopts, all of which must be done before it runs. */
  readonly needs: readonly string[];
}

/** The job id of `unit`: the hash of its resolved config. */
export function unitJobId(unit: GridUnit): string {
  return configHash(unit.config);
}

export interface GridJobsOptions {
  readonly out: string;
  readonly cwd: string;
  readonly args: readonly string[];
  readonly version: string;
}

/** The grid's flows: one tree per cell, holding the shared stages it is the first to adopt. */
export function gridFlows(grid: Grid, options: GridJobsOptions): FlowJob[] {
  const units: GridUnit[] = [...grid.shared, ...grid.cells];
  const byKey = new Map(units.map((unit) => [unit.key, unit]));
  // The flow parent of each shared stage: the first unit, in run order, that adopts it.
  const children = new Map<string, GridUnit[]>();
  const placed = new Set<string>();
  for (const unit of units) {
    for (const adoption of unit.adopts) {
      if (placed.has(adoption.from)) continue;
      placed.add(adoption.from);
      const shared = byKey.get(adoption.from);
      if (shared !== undefined) children.set(unit.key, [...(children.get(unit.key) ?? []), shared]);
    }
  }
  const flow = (unit: GridUnit): FlowJob => {
    const data: UnitJobData = {
      version: options.version,
      kind: unit.kind,
      key: unit.key,
      out: options.out,
      dir: unit.dir,
      cwd: options.cwd,
      args: options.args,
      needs: unit.adopts.flatMap((a) => {
        const shared = byKey.get(a.from);
        return shared === undefined ? [] : [unitJobId(shared)];
      }),
    };
    const own = children.get(unit.key) ?? [];
    return {
      name: `${unit.kind} ${unit.key}`,
      queueName: QUEUE_NAME,
      data,
      // A failed shared stage fails the cell that holds it, so the grid's failure shows at once.
      opts: { jobId: unitJobId(unit), failParentOnFailure: true, attempts: ATTEMPTS, backoff: { type: 'fixed', delay: RETRY_DELAY_MS } },
      ...(own.length > 0 ? { children: own.map(flow) } : {}),
    };
  };
  return grid.cells.map(flow);
}
