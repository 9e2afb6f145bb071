/**
 * What a run report shows, gathered from the run directory's artifacts: the manifest, the resolved
 * config, each stage's report, the curves (drawn afresh from metrics.jsonl), the image grids and
 * the evaluation history. Only the manifest is required; every other part is shown when present.
 * Nothing here writes.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readManifest, type Manifest } from '../artifacts/manifest.js';
import { MetricsLog } from '../artifacts/metrics-log.js';
import type { EvalResults } from '../eval/results.js';
import { drawCurves, GAN_CURVES, PRETRAIN_CURVES, type DrawnCurve } from '../plots/training-curves.js';
import { readEvalHistory } from '../stages/eval-stage.js';
import { readPseudoLabelReport, type PseudoLabelReport } from '../stages/pseudo-label-report.js';
import { errorMessage, UserError } from '../util/errors.js';
import { EVAL_HISTORY_FILE, EVAL_RESULTS_FILE, GAN_REAL_GRID_FILE, GAN_SAMPLES_DIR, METRICS_FILE, PRETRAIN_REPORT_FILE, PSEUDO_LABEL_REPORT_FILE, RESOLVED_CONFIG_FILE, runPath } from '../artifacts/run-layout.js';

/** Sample grids shown at most; a long run's grids are thinned evenly, first and last kept. */
export const MAX_SAMPLE_GRIDS = 12;

export interface SampleGrid {
  readonly step: number;
  /** Path relative to the run directory, '/'-separated. */
  readonly file: string;
}

export interface ReportData {
  /** Absolute path of the run directory. */
  readonly runDir: string;
  readonly manifest: Manifest;
  /** resolved-config.json, when present. */
  readonly config: unknown;
  /** pretrain/report.json as read (fields shown as they are). */
  readonly pretrain: Readonly<Record<string, unknown>> | undefined;
  readonly pseudoLabels: PseudoLabelReport | undefined;
  readonly pretrainCurves: readonly DrawnCurve[];
  readonly ganCurves: readonly DrawnCurve[];
  /** gan/samples/real.png relative to the run, when present. */
  readonly realGrid: string | undefined;
  /** Sample grids shown (at most MAX_SAMPLE_GRIDS), by step, and how many there are in all. */
  readonly sampleGrids: readonly SampleGrid[];
  readonly sampleGridCount: number;
  /** Evaluations, oldest first, and the file they came from. */
  readonly evaluations: readonly EvalResults[];
  readonly evaluationsFile: string | undefined;
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${errorMessage(error)}`);
  }
}

/** `items` thinned to at most `max`, evenly spaced, the first and the last kept. */
export function evenlySpaced<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const picked = new Set(Array.from({ length: max }, (_, i) => Math.round((i * (items.length - 1)) / (max - 1))));
  return [...picked].map((i) => items[i]);
}

async function sampleGrids(runDir: string): Promise<SampleGrid[]> {
  const dir = runPath(runDir, GAN_SAMPLES_DIR);
  if (!existsSync(dir)) return [];
  const grids: SampleGrid[] = [];
  for (const name of await readdir(dir)) {
    const match = /^step-(\d+)\.png$/.exec(name);
    if (match !== null) grids.push({ step: Number(match[1]), file: `${GAN_SAMPLES_DIR}/${name}` });
  }
  return grids.sort((a, b) => a.step - b.step);
}

async function evaluations(runDir: string): Promise<{ evaluations: EvalResults[]; file: string | undefined }> {
  const history = runPath(runDir, EVAL_HISTORY_FILE);
  if (existsSync(history)) return { evaluations: (await readEvalHistory(runDir)) as EvalResults[], file: EVAL_HISTORY_FILE };
  const latest = runPath(runDir, EVAL_RESULTS_FILE);
  if (existsSync(latest)) return { evaluations: [(await readJson(latest)) as EvalResults], file: EVAL_RESULTS_FILE };
  return { evaluations: [], file: undefined };
}

/** Gathers the report of the run in `runDir`; a directory without manifest.json is a UserError. */
export async function gatherReport(runDir: string): Promise<ReportData> {
  const dir = path.resolve(runDir);
  const manifest = await readManifest(dir);
  const at = (rel: string) => path.join(dir, rel);
  const ifExists = async <T>(rel: string, read: (file: string) => Promise<T>): Promise<T | undefined> => (existsSync(at(rel)) ? read(at(rel)) : undefined);

  const records = (await ifExists(METRICS_FILE, (file) => MetricsLog.read(file))) ?? [];
  const grids = await sampleGrids(dir);
  const evals = await evaluations(dir);
  return {
    runDir: dir,
    manifest,
    config: await ifExists(RESOLVED_CONFIG_FILE, readJson),
    pretrain: (await ifExists(PRETRAIN_REPORT_FILE, readJson)) as Record<string, unknown> | undefined,
    pseudoLabels: await ifExists(PSEUDO_LABEL_REPORT_FILE, readPseudoLabelReport),
    pretrainCurves: await drawCurves(records, PRETRAIN_CURVES),
    ganCurves: await drawCurves(records, GAN_CURVES),
    realGrid: existsSync(at(GAN_REAL_GRID_FILE)) ? GAN_REAL_GRID_FILE : undefined,
    sampleGrids: evenlySpaced(grids, MAX_SAMPLE_GRIDS),
    sampleGridCount: grids.length,
    evaluations: evals.evaluations,
    evaluationsFile: evals.file,
  };
}
