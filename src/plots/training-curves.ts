/**
 * Training curves from metrics.jsonl: the GAN's losses and discriminator accuracies, MvM's metric
 * and matching losses, the cheap evaluations' FID and label accuracy, and pretraining's rotation loss and accuracy, each against
 * the step, as PNGs in a stage's curves/ folder (GAN_CURVES_DIR, PRETRAIN_CURVES_DIR). A chart
 * with no data yet is not written.
 */
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import type { LoggedRecord } from '../artifacts/metrics-log.js';
import { MetricsLog } from '../artifacts/metrics-log.js';
import { errorMessage } from '../util/errors.js';
import { GAN_EVAL_STAGE } from '../training/gan/loop.js';
import { PRETRAIN_METRICS_STAGE } from '../training/pretrain/loop.js';
import type { LineChartOptions, PlotPoint } from './line-chart.js';
import { lineChartPng, writeLineChartPng } from './render.js';

/** One chart: which records and fields it plots. */
export interface CurveDefinition {
  /** File name in the curves folder. */
  readonly file: string;
  /** metrics.jsonl `stage` of the records it reads. */
  readonly stage: string;
  /** Whether a numeric field of those records is a line of this chart (one line per field). */
  readonly field: (name: string) => boolean;
  readonly title: string;
  readonly yTitle: string;
}

/** The `stage` of the GAN loop's training records (training/gan/loop.ts logs them under this name). */
const GAN_RECORDS = 'gan';
const GAN_EVAL_RECORDS = GAN_EVAL_STAGE;
const PRETRAIN_RECORDS = PRETRAIN_METRICS_STAGE;

/** Charts of the GAN stage, in the order a report shows them. */
export const GAN_CURVES: readonly CurveDefinition[] = [
  { file: 'losses.png', stage: GAN_RECORDS, field: (name) => /Loss/.test(name), title: 'GAN losses (D and G, per term)', yTitle: 'loss' },
  { file: 'accuracy.png', stage: GAN_RECORDS, field: (name) => /Accuracy/.test(name), title: "D's rotation and classifier accuracy", yTitle: 'accuracy' },
  { file: 'fid.png', stage: GAN_EVAL_RECORDS, field: (name) => name === 'fid', title: 'FID of G-EMA (cheap evaluation; lower is better)', yTitle: 'FID' },
  { file: 'label-accuracy.png', stage: GAN_EVAL_RECORDS, field: (name) => name === 'labelAccuracy', title: 'Label accuracy of G-EMA samples (cheap evaluation)', yTitle: 'accuracy' },
  // MvM (docs/ALGORITHMS.md § MvM): whether the matching loss falls steadily while the triplet loss
  // oscillates. Two charts, as the two losses differ by orders of magnitude.
  { file: 'metric-loss.png', stage: GAN_RECORDS, field: (name) => name === 'metricLoss', title: "MvM: the metric network's triplet loss", yTitle: 'loss' },
  { file: 'matching-loss.png', stage: GAN_RECORDS, field: (name) => name === 'matchingLoss', title: "MvM: G's manifold-matching loss", yTitle: 'loss' },
];

/** Charts of the pretraining stage. */
export const PRETRAIN_CURVES: readonly CurveDefinition[] = [
  { file: 'loss.png', stage: PRETRAIN_RECORDS, field: (name) => name === 'loss' || name === 'heldOutLoss', title: 'Rotation loss (training batches, held-out images)', yTitle: 'cross-entropy (nats)' },
  { file: 'accuracy.png', stage: PRETRAIN_RECORDS, field: (name) => name === 'accuracy' || name === 'heldOutAccuracy', title: 'Rotation accuracy (chance 0.25)', yTitle: 'accuracy' },
];

/** Fields never plotted: bookkeeping, wall-clock rates and evaluation sizes. */
const NOT_CURVES = new Set(['step', 'imagesSeen', 'imagesPerSecond', 'heldOutImages', 'n_real', 'n_fake', 'seed', 'evalImagesPerSecond', 'evalSeconds']);

/**
 * The points of `curve` from `records`: one line per matching field, x = step. When a step was
 * logged twice (a run restarted from scratch in the same directory), the later record wins.
 */
export function curvePoints(records: readonly LoggedRecord[], curve: CurveDefinition): PlotPoint[] {
  const byLine = new Map<string, Map<number, number>>();
  for (const record of records) {
    if (record.stage !== curve.stage || typeof record.step !== 'number') continue;
    for (const [name, value] of Object.entries(record)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || NOT_CURVES.has(name) || !curve.field(name)) continue;
      let line = byLine.get(name);
      if (line === undefined) byLine.set(name, (line = new Map()));
      line.set(record.step, value);
    }
  }
  return [...byLine].flatMap(([group, line]) => [...line].map(([x, y]) => ({ x, y, group })));
}

function chartOptions(curve: CurveDefinition): LineChartOptions {
  return { title: curve.title, xTitle: 'step', yTitle: curve.yTitle, integerX: true };
}

/** A drawn chart: its file name and PNG bytes. */
export interface DrawnCurve {
  readonly file: string;
  readonly title: string;
  readonly png: Buffer;
}

/** The charts of `curves` that have data in `records`, as PNG bytes (nothing written). */
export async function drawCurves(records: readonly LoggedRecord[], curves: readonly CurveDefinition[]): Promise<DrawnCurve[]> {
  const drawn: DrawnCurve[] = [];
  for (const curve of curves) {
    const points = curvePoints(records, curve);
    if (points.length > 0) drawn.push({ file: curve.file, title: curve.title, png: await lineChartPng(points, chartOptions(curve)) });
  }
  return drawn;
}

/**
 * Redraws the charts of `curves` from the log `metricsFile` into `dir` (created if needed), each
 * written atomically; returns the paths written. Charts without data are skipped.
 */
export async function writeCurves(metricsFile: string, dir: string, curves: readonly CurveDefinition[]): Promise<string[]> {
  const records = await MetricsLog.read(metricsFile);
  const written: string[] = [];
  for (const curve of curves) {
    const points = curvePoints(records, curve);
    if (points.length === 0) continue;
    if (written.length === 0) await mkdir(dir, { recursive: true });
    const file = path.join(dir, curve.file);
    await writeLineChartPng(file, points, chartOptions(curve));
    written.push(file);
  }
  return written;
}

/**
 * writeCurves for a training loop's checkpoint hook: a chart that cannot be drawn is reported in
 * one line and training goes on, since the checkpoint (the run's real state) is already written.
 */
export async function redrawCurves(metricsFile: string, dir: string, curves: readonly CurveDefinition[], log: (line: string) => void): Promise<void> {
  try {
    await writeCurves(metricsFile, dir, curves);
  } catch (error) {
    log(`could not draw the training curves in ${dir}: ${errorMessage(error)}`);
  }
}
