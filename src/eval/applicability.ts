/**
 * Which metrics can be computed for a run's generator on a dataset, decided before anything is
 * trained or written: label accuracy, intra-class FID and CAS need a conditional generator; CAS
 * scores on a labelled test split; the domain classifier (IS, label accuracy, and the default
 * feature extractor) needs labelled training images; the real-feature metrics need the split of
 * eval.split. `all` means every metric that applies, and says which were skipped and why; a metric
 * named by the user that cannot apply is refused.
 */
import type { Config } from '../config/schema.js';
import type { Dataset, ImageSplit } from '../data/types.js';
import { UserError } from '../util/errors.js';
import { CLASSIFIER_METRICS, CONDITIONAL_METRICS, EVAL_METRICS, REAL_FEATURE_METRICS, type EvalMetric } from './metric-names.js';
import type { EvalSplit } from './reference.js';

/** A metric left out of `all`, and why (recorded in eval/results.json). */
export interface SkippedMetric {
  readonly metric: EvalMetric;
  readonly reason: string;
}

/** What decides whether a metric applies. */
export interface MetricFacts {
  readonly dataset: Pick<Dataset, 'name' | 'classNames' | 'train' | 'test'>;
  /** Whether the generator takes a class label. */
  readonly conditional: boolean;
  /** eval.split. */
  readonly split: EvalSplit;
  /** Whether eval.extractorPath replaces the domain classifier as feature extractor. */
  readonly externalExtractor: boolean;
}

/**
 * The metrics asked for: every one that applies (`all`), or a list the user named; `source` names
 * where the request came from ('--metrics', 'eval.metrics') in messages.
 */
export type MetricRequest =
  | { readonly kind: 'all'; readonly source: string }
  | { readonly kind: 'named'; readonly metrics: readonly EvalMetric[]; readonly source: string };

export interface MetricSelection {
  readonly metrics: readonly EvalMetric[];
  readonly skipped: readonly SkippedMetric[];
}

/** The facts of `config` and `dataset` for a generator that is (or is not) conditional. */
export function metricFacts(config: Config, dataset: MetricFacts['dataset'], conditional: boolean): MetricFacts {
  return { dataset, conditional, split: config.eval.split, externalExtractor: config.eval.extractorPath !== undefined };
}

function labelledCount(split: Pick<ImageSplit, 'labels'> | undefined): number {
  return split === undefined ? 0 : split.labels.reduce((n, label) => n + (label >= 0 ? 1 : 0), 0);
}

/** Why `metric` cannot be computed, or undefined when it can. */
export function metricObstacle(metric: EvalMetric, facts: MetricFacts): string | undefined {
  const { dataset } = facts;
  if (CONDITIONAL_METRICS.has(metric) && !facts.conditional) {
    return "it needs the class each image was generated for, and this run's generator is unconditional";
  }
  const real = REAL_FEATURE_METRICS.has(metric);
  const needsClassifier = CLASSIFIER_METRICS.has(metric) || (real && !facts.externalExtractor);
  // The domain classifier trains on labelled training images of at least two classes.
  if (needsClassifier && (labelledCount(dataset.train) < 2 || dataset.classNames.length < 2)) {
    return `the domain classifier needs labelled training images of two classes or more, and dataset ${dataset.name} has none${real ? ' (or set eval.extractorPath)' : ''}`;
  }
  if (real && facts.split === 'test' && dataset.test === undefined) {
    return `eval.split is 'test' and dataset ${dataset.name} has no test split (set eval.split=train)`;
  }
  if (metric === 'intra-fid' && labelledCount(facts.split === 'test' ? dataset.test : dataset.train) === 0) {
    return `it compares classes of real images, and the ${facts.split} split of ${dataset.name} has no labels`;
  }
  if (metric === 'cas') {
    if (dataset.test === undefined) return `it scores a classifier on the real test split, and dataset ${dataset.name} has none`;
    if (labelledCount(dataset.test) === 0) return `it scores a classifier on the real test split, and the test split of ${dataset.name} has no labels`;
  }
  return undefined;
}

/**
 * The metrics to compute for `request`. `all` keeps those that apply (a UserError when none does);
 * a named metric that cannot apply is a UserError naming it, its source and why.
 */
export function selectMetrics(request: MetricRequest, facts: MetricFacts): MetricSelection {
  if (request.kind === 'named') {
    for (const metric of request.metrics) {
      const obstacle = metricObstacle(metric, facts);
      if (obstacle !== undefined) throw new UserError(`${request.source}: metric ${metric} cannot be computed: ${obstacle}`);
    }
    return { metrics: [...request.metrics], skipped: [] };
  }
  const metrics: EvalMetric[] = [];
  const skipped: SkippedMetric[] = [];
  for (const metric of EVAL_METRICS) {
    const reason = metricObstacle(metric, facts);
    if (reason === undefined) metrics.push(metric);
    else skipped.push({ metric, reason });
  }
  if (metrics.length === 0) {
    throw new UserError(`${request.source} all: no metric applies to this run: ${skipped.map((s) => `${s.metric}: ${s.reason}`).join('; ')}`);
  }
  return { metrics, skipped };
}

/** One line per skipped metric, for stderr. */
export function formatSkipped(skipped: readonly SkippedMetric[]): string[] {
  return skipped.map((s) => `skipping ${s.metric}: ${s.reason}`);
}
