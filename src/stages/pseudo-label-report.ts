/**
 * The pseudo-label stage's report (labels/report.json, and labels/report.txt for people): how good
 * the labels are, measured against ground truth that is used only here, never to fit.
 */
import { blocksPhrase } from '../classify/block-sets.js';
import { readFile } from 'node:fs/promises';
import type { CrossValidationResult } from '../classify/cross-validation.js';
import { formatReport, type ClassificationReport } from '../classify/report.js';
import { UserError, errorMessage } from '../util/errors.js';

export interface BaselineReport {
  /** What the baseline classifies from, e.g. 'raw pixels'. */
  readonly features: string;
  readonly l2: number;
  /** Mean cross-validated accuracy on the labelled subset at that λ. */
  readonly crossValidatedAccuracy: number;
  readonly unlabelledTrain: ClassificationReport;
  readonly test: ClassificationReport | null;
}

export interface PseudoLabelReport {
  readonly version: 1;
  readonly configHash: string;
  readonly dataset: string;
  readonly classNames: readonly string[];
  /** 'classifier' (linear or s4l) or 'kmeans'. */
  readonly source: string;
  /** Human description of how the labels were made. */
  readonly description: string;
  readonly labelledImages: number;
  readonly trainImages: number;
  /** The encoder block whose features were used (a list: several, concatenated), and why. */
  readonly block: number | readonly number[];
  readonly blockSelection: { readonly block: number | readonly number[]; readonly accuracy: number }[] | null;
  /** Cross-validation of the L2 strength (null for k-means). */
  readonly crossValidation: CrossValidationResult | null;
  readonly l2: number | null;
  /** Accuracy of the produced labels on the training images outside the labelled subset. */
  readonly unlabelledTrain: ClassificationReport;
  /** Accuracy of the same classifier on the test split (null without one). */
  readonly test: ClassificationReport | null;
  /** Mean softmax confidence of the predicted labels of the unlabelled images (null for k-means). */
  readonly meanConfidence: number | null;
  /** The same classifier on raw pixels with the same labels (null for k-means). */
  readonly rawPixelBaseline: BaselineReport | null;
  readonly wallSeconds: number;
  readonly time: string;
}

function percent(x: number | null): string {
  return x === null ? 'n/a' : `${(100 * x).toFixed(2)}%`;
}

/** The report as lines for the terminal and labels/report.txt. */
export function formatPseudoLabelReport(report: PseudoLabelReport): string[] {
  const lines = [
    `pseudo-labels for ${report.dataset}: ${report.description}`,
    `labelled images: ${report.labelledImages} of ${report.trainImages}`,
  ];
  if (report.blockSelection !== null) {
    lines.push(`block selection (cross-validated accuracy): ${report.blockSelection.map((b) => `${blocksPhrase(b.block)} ${percent(b.accuracy)}`).join(', ')} → ${blocksPhrase(report.block)}`);
  }
  if (report.l2 !== null) lines.push(`L2 strength (cross-validated): ${report.l2}`);
  lines.push(`accuracy on the unlabelled training images: ${percent(report.unlabelledTrain.accuracy)} (${report.unlabelledTrain.total} images)`);
  if (report.test !== null) lines.push(`accuracy on the test split: ${percent(report.test.accuracy)} (${report.test.total} images)`);
  const baseline = report.rawPixelBaseline;
  if (baseline !== null) {
    lines.push(`baseline, same classifier on ${baseline.features}: unlabelled training images ${percent(baseline.unlabelledTrain.accuracy)}, test ${percent(baseline.test?.accuracy ?? null)}`);
  }
  lines.push('', 'unlabelled training images:');
  lines.push(...formatReport(report.unlabelledTrain, report.classNames));
  return lines;
}

export async function readPseudoLabelReport(file: string): Promise<PseudoLabelReport> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as PseudoLabelReport;
  } catch (error) {
    throw new UserError(`cannot read pseudo-label report ${file}: ${errorMessage(error)}`);
  }
}
