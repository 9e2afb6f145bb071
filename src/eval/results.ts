/**
 * The record of one evaluation (eval/results.json) and its table. Every number carries what it was
 * measured on: real and generated image counts, extractor, real split, noise seed, which generator
 * (G or its weight average) and training step, so numbers from different settings are never
 * mistaken for each other (docs/ALGORITHMS.md § Evaluation protocol: every result states how many
 * real and generated images it was measured on).
 */
import type { SkippedMetric } from './applicability.js';
import type { DomainClassifierInfo } from './domain-classifier-cache.js';
import type { ExtractorDescription } from './extractor.js';
import type { EvalSplit } from './reference.js';

/** Which weights were sampled: G itself or its exponential moving average (checkpoint folder names). */
export type GeneratorKind = 'generator' | 'generator-ema';

/** Names of the numbers in results (precision-recall and density-coverage give two each). */
export type ResultMetricName = 'fid' | 'kid' | 'is' | 'precision' | 'recall' | 'density' | 'coverage' | 'intra-fid' | 'cas' | 'label-accuracy';

/** What a number was measured on. */
export interface MetricContext {
  /** Real images it compares with (0 for IS and label accuracy, which read generated images only). */
  readonly n_real: number;
  /** Generated images. */
  readonly n_fake: number;
  /** Extractor name (ExtractorDescription.name, or 'cas-classifier'). */
  readonly extractor: string;
  /** Real split of n_real ('test' for CAS, whatever eval.split says). */
  readonly split: EvalSplit;
  /** Noise seed of the generated images. */
  readonly seed: number;
  readonly generator: GeneratorKind;
  /** Generator step of the checkpoint (null when unknown). */
  readonly step: number | null;
}

export interface MetricResult extends MetricContext {
  readonly metric: ResultMetricName;
  readonly value: number;
  /** Spread over subsets or splits (KID, IS), population standard deviation; absent when there is none (a KID whose subsets could not differ). */
  readonly std?: number;
  /**
   * Settings and parts, e.g. { k: 3 }, { subsets: 100, subsetSize: 1000 }, { perClass: [...] }
   * (index = class; null for a class no image was generated for).
   */
  readonly details?: Readonly<Record<string, number | string | readonly (number | null)[]>>;
}

export interface Throughput {
  /** Generated images made and read by the extractors. */
  readonly images: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
}

/** eval/results.json. */
export interface EvalResults {
  readonly version: 1;
  readonly dataset: string;
  readonly split: EvalSplit;
  readonly seed: number;
  readonly generator: GeneratorKind;
  readonly step: number | null;
  readonly n_real: number;
  readonly n_fake: number;
  /** The extractor of FID, KID, precision/recall, density/coverage and intra-FID (null when none of them was asked for). */
  readonly extractor: ExtractorDescription | null;
  /** The domain classifier of IS and label accuracy (and the default extractor), when loaded. */
  readonly classifier: DomainClassifierInfo | null;
  /** Generation and feature extraction of the generated images. */
  readonly throughput: Throughput;
  /** Wall-clock seconds of the parts. */
  readonly seconds: { readonly generateAndExtract: number; readonly metrics: number; readonly cas: number; readonly total: number };
  /** The tfjs backend it ran on. */
  readonly backend: string;
  readonly createdAt: string;
  readonly metrics: readonly MetricResult[];
  /** Class names of the dataset, index = label (the rows of per-class details). */
  readonly classNames: readonly string[];
  /** Metrics left out of `all` because they cannot apply to this generator or dataset, with why. */
  readonly skipped: readonly SkippedMetric[];
}

/** 4 significant digits, plain notation down to 1e-6. */
export function formatMetricValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 1e-6) return value.toExponential(3);
  if (Math.abs(value) >= 1e4) return value.toFixed(1);
  return String(Number(value.toPrecision(4)));
}

/** The results as an aligned text table (one row per number) with a heading line. */
export function formatResultsTable(results: EvalResults): string {
  const header = ['metric', 'value', '±', 'n_real', 'n_fake', 'split', 'extractor'];
  const rows = results.metrics.map((m) => [
    m.metric,
    formatMetricValue(m.value),
    m.std === undefined ? '' : formatMetricValue(m.std),
    m.n_real.toLocaleString('en-US'),
    m.n_fake.toLocaleString('en-US'),
    m.n_real === 0 ? '-' : m.split,
    m.extractor,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const numeric = new Set([1, 2, 3, 4]);
  const line = (cells: string[]) => cells.map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const step = results.step === null ? '' : `step ${results.step.toLocaleString('en-US')}, `;
  const rate = results.throughput.imagesPerSecond;
  const heading = `${results.dataset}: ${step}${results.generator}, seed ${results.seed}; ${results.throughput.images.toLocaleString('en-US')} images generated and read at ${rate >= 100 ? Math.round(rate) : rate.toPrecision(3)} images/s`;
  return [heading, line(header), ...rows.map(line)].join('\n');
}

/** The warnings results carry (a metric's details.warning, e.g. a KID without spread), one line each. */
export function formatResultWarnings(metrics: readonly Pick<MetricResult, 'details'>[]): string[] {
  return metrics.flatMap((m) => (typeof m.details?.warning === 'string' ? [`warning: ${m.details.warning}`] : []));
}

/**
 * Label accuracy per class as a compact table (class, accuracy, generated images), or no lines
 * when the results hold no per-class label accuracy.
 */
export function formatPerClassLabelAccuracy(results: EvalResults): string[] {
  const details = results.metrics.find((m) => m.metric === 'label-accuracy')?.details;
  const perClass = details?.perClass;
  const images = details?.perClassImages;
  if (!Array.isArray(perClass) || !Array.isArray(images)) return [];
  const names = perClass.map((_, c) => `${c} ${results.classNames[c] ?? ''}`.trimEnd());
  const nameWidth = Math.max('class'.length, ...names.map((n) => n.length));
  const rows = perClass.map((accuracy, c) => [
    names[c].padEnd(nameWidth),
    (accuracy === null ? '-' : formatMetricValue(accuracy)).padStart('accuracy'.length),
    String(images[c] ?? 0).padStart('images'.length),
  ]);
  return ['label accuracy by class:', ['class'.padEnd(nameWidth), 'accuracy', 'images'].join('  '), ...rows.map((r) => r.join('  '))];
}
