/**
 * The results of a finished grid, read back from its run directories: what each cell and shared
 * stage contributes to the experiment's results (cell-result.ts), for the results writers.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readJsonLines } from '../artifacts/json-lines.js';
import { readManifest, type Manifest } from '../artifacts/manifest.js';
import {
  EVAL_RESULTS_FILE,
  GAN_SAMPLES_DIR,
  METRICS_FILE,
  PRETRAIN_REPORT_FILE,
  PSEUDO_LABEL_REPORT_FILE,
  RESOLVED_CONFIG_FILE,
  runPath,
} from '../artifacts/run-layout.js';
import type { EvalResultsFile } from '../stages/eval-stage.js';
import { PRETRAIN_STAGE } from '../stages/pretrain-stage.js';
import { checkpointName } from '../training/common/checkpoint-names.js';
import { GAN_EVAL_STAGE } from '../training/gan/loop.js';
import type { CellResult, CurvePoint, ExperimentResults, SharedStageResult } from './cell-result.js';
import type { CellUnit, Grid, SharedUnit } from './grid.js';

function readJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

/** '/'-separated path of `file` relative to `out`. */
function relative(out: string, file: string): string {
  return path.relative(out, file).split(path.sep).join('/');
}

/** Seconds between a stage's last start and its finish. */
function stageSeconds(record: Manifest['stages'][string]): number {
  if (record.startedAt === undefined || record.finishedAt === undefined) return 0;
  return Math.max(0, (Date.parse(record.finishedAt) - Date.parse(record.startedAt)) / 1000);
}

/** Wall seconds of the stages the run did itself (adopted ones are counted in their shared run). */
function ownSeconds(manifest: Manifest, stages?: readonly string[]): number {
  return Object.entries(manifest.stages)
    .filter(([name, record]) => record.reusedFrom === undefined && (stages === undefined || stages.includes(name)))
    .reduce((sum, [, record]) => sum + stageSeconds(record), 0);
}

/** The cheap evaluations logged while training (metrics.jsonl 'gan-eval' records). */
async function curve(dir: string): Promise<CurvePoint[]> {
  const records = (await readJsonLines(runPath(dir, METRICS_FILE))) as { stage?: string; step?: number; fid?: number; labelAccuracy?: number }[];
  return records
    .filter((r) => r.stage === GAN_EVAL_STAGE && typeof r.step === 'number')
    .map((r) => ({ step: r.step as number, ...(r.fid === undefined ? {} : { fid: r.fid }), ...(r.labelAccuracy === undefined ? {} : { labelAccuracy: r.labelAccuracy }) }));
}

/** What the finished `cell` contributes: its final evaluation, curve, pseudo-label accuracy, time, grid and config. */
export async function cellResult(out: string, cell: CellUnit): Promise<CellResult> {
  const manifest = await readManifest(cell.dir);
  const evaluation = readJson<EvalResultsFile>(runPath(cell.dir, EVAL_RESULTS_FILE));
  const metrics: Record<string, number> = {};
  for (const m of evaluation?.metrics ?? []) metrics[m.metric] = m.value;
  const labels = readJson<{ unlabelledTrain?: { accuracy?: number | null } }>(runPath(cell.dir, PSEUDO_LABEL_REPORT_FILE));
  const accuracy = labels?.unlabelledTrain?.accuracy;
  const step = evaluation?.step;
  const grid = step === null || step === undefined ? undefined : runPath(cell.dir, `${GAN_SAMPLES_DIR}/${checkpointName(step)}.png`);
  return {
    id: cell.key,
    method: cell.method,
    labelFraction: cell.labelFraction,
    seed: cell.seed,
    runDir: relative(out, cell.dir),
    metrics,
    ...(typeof accuracy === 'number' ? { pseudoLabelAccuracy: accuracy } : {}),
    wallSeconds: ownSeconds(manifest),
    curve: await curve(cell.dir),
    ...(grid !== undefined && existsSync(grid) ? { sampleGrid: relative(out, grid) } : {}),
    configFile: relative(out, runPath(cell.dir, RESOLVED_CONFIG_FILE)),
  };
}

/** What the finished shared stage contributes: its time, its users and the accuracy it reached. */
export async function sharedResult(out: string, unit: SharedUnit): Promise<SharedStageResult> {
  const manifest = await readManifest(unit.dir);
  const accuracy =
    unit.stage === PRETRAIN_STAGE
      ? readJson<{ heldOutRotationAccuracy?: number }>(runPath(unit.dir, PRETRAIN_REPORT_FILE))?.heldOutRotationAccuracy
      : readJson<{ unlabelledTrain?: { accuracy?: number | null } }>(runPath(unit.dir, PSEUDO_LABEL_REPORT_FILE))?.unlabelledTrain?.accuracy;
  return {
    stage: unit.stage,
    hash: unit.hash,
    runDir: relative(out, unit.dir),
    wallSeconds: ownSeconds(manifest, [unit.stage]),
    cells: [...unit.cells],
    ...(typeof accuracy === 'number' ? { accuracy } : {}),
  };
}

/** What the results writers need besides the grid: the experiment's name, command and file. */
export interface ExperimentAbout {
  readonly name: string;
  readonly command: string;
  readonly configText: string;
}

/** The results of the finished `grid` in `out`, read back from its run directories. */
export async function gridResults(out: string, grid: Grid, about: ExperimentAbout): Promise<ExperimentResults> {
  return {
    ...about,
    cells: await Promise.all(grid.cells.map((cell) => cellResult(out, cell))),
    shared: await Promise.all(grid.shared.map((unit) => sharedResult(out, unit))),
  };
}
