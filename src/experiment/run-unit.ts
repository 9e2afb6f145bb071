/**
 * One unit of an experiment grid, run in this process: a shared stage in its own run directory, or
 * a cell (its method's pipeline, then the final evaluation of G-EMA, as `s3gan eval --ema` does),
 * each after adopting the shared stages it needs. What it prints goes to the unit's log file.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { evaluateInRun } from '../api/evaluate.js';
import { runInRun } from '../api/run.js';
import { readManifestIfExists } from '../artifacts/manifest.js';
import { EVAL_RESULTS_FILE, GAN_CHECKPOINTS_DIR, runPath } from '../artifacts/run-layout.js';
import { configHash } from '../config/hash.js';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import { checkPlan, checkResumePoints } from '../stages/plan-check.js';
import { configMetrics, EVAL_STAGE, evalStageHash, findCheckpoint } from '../stages/eval-stage.js';
import { loadConfiguredDataset, type StageStartHooks } from '../stages/stage-start.js';
import type { StopRequest } from '../util/interrupt.js';
import type { ProgressStream } from '../util/progress.js';
import { adoptInto } from './adopt.js';
import { LOGS_DIR, SHARED_DIR, type CellUnit, type GridUnit, type SharedUnit } from './grid.js';

export interface UnitContext {
  /** The experiment's output folder (absolute). */
  readonly out: string;
  /** Datasets loaded so far, by the hash of their data settings (cells of one experiment share one). */
  readonly datasets: Map<string, Dataset>;
  readonly stop?: StopRequest;
  /** Called as each stage of the unit starts, for the grid's progress line. */
  readonly onStage?: (stage: string) => void;
}

/** The unit's log file: everything its stages print (the grid's own line stays on the terminal). */
export function unitLogFile(out: string, unit: Pick<GridUnit, 'kind' | 'key'>): string {
  return path.join(out, LOGS_DIR, `${unit.kind === 'shared' ? `${SHARED_DIR}-` : ''}${unit.key}.log`);
}

/** Whether the cell's final evaluation of G-EMA is recorded for its config: a finished cell is never redone. */
export async function cellFinished(cell: CellUnit): Promise<boolean> {
  const record = (await readManifestIfExists(cell.dir))?.stages[EVAL_STAGE];
  if (record?.status !== 'done' || record.configHash !== evalStageHash(cell.config)) return false;
  const file = runPath(cell.dir, EVAL_RESULTS_FILE);
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { generator?: unknown }).generator === 'generator-ema';
  } catch {
    return false;
  }
}

/** Whether the shared stage is done in its run directory with the inputs it is keyed by. */
export async function sharedFinished(unit: SharedUnit): Promise<boolean> {
  const record = (await readManifestIfExists(unit.dir))?.stages[unit.stage];
  return record?.status === 'done' && record.configHash === unit.hash;
}

export async function unitFinished(unit: GridUnit): Promise<boolean> {
  return unit.kind === 'cell' ? cellFinished(unit) : sharedFinished(unit);
}

function fileHooks(logFile: string): Required<StageStartHooks> {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const write = (chunk: string) => appendFileSync(logFile, chunk);
  const stream: ProgressStream = { isTTY: false, write };
  return { log: (line) => write(`${line}\n`), progressStream: stream };
}

async function plannedDataset(config: Config, stages: readonly string[], context: UnitContext, hooks: StageStartHooks): Promise<Dataset> {
  const key = configHash(config.data);
  let dataset = context.datasets.get(key);
  if (dataset === undefined) {
    dataset = await loadConfiguredDataset(config, hooks);
    context.datasets.set(key, dataset);
  }
  checkPlan(config, dataset, { stages });
  await checkResumePoints(config.run.dir, { stages });
  return dataset;
}

/**
 * Runs `unit` unless it is finished; returns whether it was skipped. Its stages skip what is done
 * and resume what was killed, so calling this again after a kill continues the unit.
 */
export async function runUnit(unit: GridUnit, context: UnitContext): Promise<{ skipped: boolean }> {
  if (await unitFinished(unit)) return { skipped: true };
  const hooks = fileHooks(unitLogFile(context.out, unit));
  hooks.log(`${new Date().toISOString()} ${unit.kind} ${unit.key}`);
  const stageNames = unit.pipeline.stages.map((s) => s.name);
  const dataset = await plannedDataset(unit.config, unit.kind === 'cell' ? [...stageNames, EVAL_STAGE] : stageNames, context, hooks);
  const sharedDir = (key: string) => path.join(context.out, SHARED_DIR, key);
  const adopted = await adoptInto(unit.config, unit.adopts, sharedDir);
  if (adopted.length > 0) hooks.log(`adopted shared stages: ${adopted.join(', ')}`);
  await runInRun(unit.config, unit.pipeline, dataset, {
    ...hooks,
    stop: context.stop,
    onStage: (index, total, stage) => {
      hooks.log(`[${index}/${total}] ${stage.name}`);
      context.onStage?.(stage.name);
    },
    onStageDone: (_index, _total, stage, outcome) => {
      hooks.log(`${stage.name}${outcome.skipped ? ' (already done)' : ''}:`);
      for (const line of outcome.summary) hooks.log(`  ${line}`);
    },
  });
  if (unit.kind === 'cell') {
    context.onStage?.(EVAL_STAGE);
    const checkpoint = await findCheckpoint(path.join(unit.dir, GAN_CHECKPOINTS_DIR), unit.dir);
    await evaluateInRun(unit.config, dataset, hooks, { ema: true, step: checkpoint.step, metrics: configMetrics(unit.config) });
    hooks.log(`eval: ${runPath(unit.dir, EVAL_RESULTS_FILE)}`);
  }
  return { skipped: false };
}
