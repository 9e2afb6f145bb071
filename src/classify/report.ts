/**
 * How good the pseudo-labels are: accuracy, per-class accuracy (recall) and the confusion matrix,
 * from ground truth that is only ever used to report, never to train (docs/ALGORITHMS.md § Pseudo-label report).
 */
import { UNLABELLED } from '../data/types.js';
import { invariant } from '../util/errors.js';

export interface ClassScore {
  readonly label: number;
  /** Rows whose true class is `label`. */
  readonly count: number;
  /** Of those, predicted as `label`. */
  readonly correct: number;
  /** Recall correct / count; null when count = 0. */
  readonly accuracy: number | null;
}

/** JSON-safe. */
export interface ClassificationReport {
  readonly numClasses: number;
  /** Rows with a true label (UNLABELLED rows are skipped). */
  readonly total: number;
  readonly correct: number;
  /** correct / total; null when total = 0. */
  readonly accuracy: number | null;
  /** One per class, in class order. */
  readonly perClass: ClassScore[];
  /** confusion[true][predicted]: row counts, [numClasses][numClasses]. */
  readonly confusion: number[][];
}

/**
 * Scores `predicted` against `truth` (same length). Rows whose truth is UNLABELLED (−1) are
 * skipped; every other truth and every scored prediction must be a class in [0, numClasses).
 */
export function classificationReport(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
  numClasses: number,
): ClassificationReport {
  invariant(predicted.length === truth.length, `classificationReport: ${predicted.length} predictions for ${truth.length} labels`);
  invariant(Number.isInteger(numClasses) && numClasses >= 1, `classificationReport: bad numClasses ${numClasses}`);
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  let total = 0;
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const y = truth[i];
    if (y === UNLABELLED) continue;
    const p = predicted[i];
    invariant(Number.isInteger(y) && y >= 0 && y < numClasses, `classificationReport: true label ${y} at row ${i} is not in [0, ${numClasses})`);
    invariant(Number.isInteger(p) && p >= 0 && p < numClasses, `classificationReport: prediction ${p} at row ${i} is not in [0, ${numClasses})`);
    confusion[y][p]++;
    total++;
    if (p === y) correct++;
  }
  const perClass = confusion.map((counts, label): ClassScore => {
    const count = counts.reduce((a, b) => a + b, 0);
    return { label, count, correct: counts[label], accuracy: count > 0 ? counts[label] / count : null };
  });
  return { numClasses, total, correct, accuracy: total > 0 ? correct / total : null, perClass, confusion };
}

function percent(value: number | null): string {
  return value === null ? 'n/a' : `${(100 * value).toFixed(2)}%`;
}

/**
 * Plain-text lines for the terminal: the overall accuracy, the confusion matrix (rows = true class,
 * columns = predicted class) and a per-class table. `classNames` (index = label) replace the
 * numbers when given.
 */
export function formatReport(report: ClassificationReport, classNames?: readonly string[]): string[] {
  const name = (label: number): string => classNames?.[label] ?? String(label);
  const lines: string[] = [`accuracy ${percent(report.accuracy)} (${report.correct} / ${report.total})`];

  // Confusion matrix, right-aligned columns as wide as the widest name or count.
  const labels = Array.from({ length: report.numClasses }, (_, label) => label);
  const cellWidth = Math.max(...labels.map((label) => name(label).length), ...report.confusion.flat().map((c) => String(c).length));
  const headerWidth = Math.max('true \\ predicted'.length, ...labels.map((label) => name(label).length));
  lines.push('confusion matrix (rows: true class, columns: predicted class)');
  lines.push(['true \\ predicted'.padEnd(headerWidth), ...labels.map((label) => name(label).padStart(cellWidth))].join('  '));
  report.confusion.forEach((counts, label) => {
    lines.push([name(label).padEnd(headerWidth), ...counts.map((c) => String(c).padStart(cellWidth))].join('  '));
  });

  // Per-class recall.
  const classWidth = Math.max('class'.length, ...labels.map((label) => name(label).length));
  lines.push('per class');
  lines.push(`${'class'.padEnd(classWidth)}  ${'count'.padStart(7)}  ${'correct'.padStart(7)}  ${'accuracy'.padStart(8)}`);
  for (const score of report.perClass) {
    lines.push(
      `${name(score.label).padEnd(classWidth)}  ${String(score.count).padStart(7)}  ${String(score.correct).padStart(7)}  ${percent(score.accuracy).padStart(8)}`,
    );
  }
  return lines;
}
