/**
 * The numbers behind an experiment's table and plots: cells grouped by method × label fraction,
 * mean and sample standard deviation over seeds, metric order and direction, and the pseudo-label
 * accuracy of each fraction. Pure functions of ExperimentResults; the writers format them.
 */
import type { CellResult, ExperimentResults } from '../cell-result.js';

/** Whether a smaller or a larger value of a metric is better. */
export type MetricDirection = 'lower' | 'higher';

/** Direction of every metric `s3gan eval` records (src/eval/results.ts ResultMetricName), in table order. */
const KNOWN_METRICS: readonly (readonly [string, MetricDirection])[] = [
  ['fid', 'lower'],
  ['kid', 'lower'],
  ['intra-fid', 'lower'],
  ['is', 'higher'],
  ['precision', 'higher'],
  ['recall', 'higher'],
  ['density', 'higher'],
  ['coverage', 'higher'],
  ['cas', 'higher'],
  ['label-accuracy', 'higher'],
];
const DIRECTIONS = new Map(KNOWN_METRICS);

/** 'lower' or 'higher' is better; undefined for a metric this module does not know. */
export function metricDirection(metric: string): MetricDirection | undefined {
  return DIRECTIONS.get(metric);
}

/** A metric's name with its direction as an arrow: 'fid ↓', 'label-accuracy ↑'. */
export function metricHeading(metric: string): string {
  const direction = metricDirection(metric);
  return direction === undefined ? metric : `${metric} ${direction === 'lower' ? '↓' : '↑'}`;
}

/** Every metric some cell reports: the known ones in table order, then the others by name. */
export function metricNames(cells: readonly CellResult[]): string[] {
  const present = new Set(cells.flatMap((c) => Object.keys(c.metrics)));
  const known = KNOWN_METRICS.map(([name]) => name).filter((name) => present.has(name));
  const others = [...present].filter((name) => !DIRECTIONS.has(name)).sort();
  return [...known, ...others];
}

/** Mean and spread of one metric over the seeds of a group. */
export interface SeedSpread {
  readonly mean: number;
  /** Sample standard deviation (n − 1 in the denominator); undefined for a single value. */
  readonly std: number | undefined;
  readonly n: number;
}

/** Mean and sample standard deviation of `values`, or undefined when there are none. */
export function seedSpread(values: readonly number[]): SeedSpread | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, std: undefined, n };
  const squares = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(squares / (n - 1)), n };
}

/**
 * Order of label fractions: none (methods that read no labels) first, then ascending, so that
 * 1 (all labels) comes last.
 */
export function compareFractions(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a - b;
}

/** A fraction as people read it: 'no labels', 'all labels', '1 %', '0.5 %'. */
export function fractionLabel(fraction: number | null): string {
  if (fraction === null) return 'no labels';
  if (fraction === 1) return 'all labels';
  return `${Number((100 * fraction).toPrecision(4))} %`;
}

/** The cells of one method at one label fraction: one per seed. */
export interface MethodFractionGroup {
  readonly method: string;
  readonly labelFraction: number | null;
  readonly cells: readonly CellResult[];
}

/** Cells grouped by method (in order of first appearance) and fraction (compareFractions), seeds ascending. */
export function groupCells(cells: readonly CellResult[]): MethodFractionGroup[] {
  const methods = [...new Set(cells.map((c) => c.method))];
  return methods.flatMap((method) => {
    const ofMethod = cells.filter((c) => c.method === method);
    const fractions = [...new Set(ofMethod.map((c) => c.labelFraction))].sort(compareFractions);
    return fractions.map((labelFraction) => ({
      method,
      labelFraction,
      cells: ofMethod.filter((c) => c.labelFraction === labelFraction).sort((a, b) => a.seed - b.seed),
    }));
  });
}

/** The spread of `metric` over a group's cells that report it. */
export function groupSpread(group: MethodFractionGroup, metric: string): SeedSpread | undefined {
  return seedSpread(group.cells.flatMap((c) => (metric in c.metrics ? [c.metrics[metric]] : [])));
}

/** The pseudo-label accuracy measured at one label fraction. */
export interface FractionPseudoLabels {
  readonly labelFraction: number | null;
  readonly spread: SeedSpread;
  /** Where the values come from: shared pseudo-label stages' folders, or cells' run directories. */
  readonly sources: readonly string[];
}

/** The `stage` of the shared records that hold pseudo-labelling. */
export const PSEUDO_LABEL_STAGE = 'pseudo-label';

/**
 * Pseudo-label accuracy per label fraction: each shared pseudo-label stage counts once (at the
 * fractions of the cells that reuse it), and a cell that made its own pseudo-labels, reused by no
 * shared stage with an accuracy, counts on its own. Fractions with no value are left out.
 */
export function pseudoLabelsByFraction(results: ExperimentResults): FractionPseudoLabels[] {
  const byId = new Map(results.cells.map((c) => [c.id, c]));
  const values = new Map<number | null, { value: number; source: string }[]>();
  const add = (fraction: number | null, value: number, source: string) => {
    const list = values.get(fraction) ?? [];
    list.push({ value, source });
    values.set(fraction, list);
  };
  const covered = new Set<string>();
  for (const stage of results.shared) {
    if (stage.stage !== PSEUDO_LABEL_STAGE || stage.accuracy === undefined) continue;
    const fractions = new Set(stage.cells.flatMap((id) => (byId.has(id) ? [byId.get(id)!.labelFraction] : [])));
    for (const fraction of fractions) add(fraction, stage.accuracy, stage.runDir);
    for (const id of stage.cells) covered.add(id);
  }
  for (const cell of results.cells) {
    if (cell.pseudoLabelAccuracy !== undefined && !covered.has(cell.id)) add(cell.labelFraction, cell.pseudoLabelAccuracy, cell.runDir);
  }
  return [...values]
    .sort(([a], [b]) => compareFractions(a, b))
    .map(([labelFraction, list]) => ({ labelFraction, spread: seedSpread(list.map((v) => v.value))!, sources: list.map((v) => v.source) }));
}
