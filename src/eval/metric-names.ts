/**
 * The metrics eval.metrics (and `s3gan eval --metrics`) accepts, and what each one needs: the real
 * features of the reference set, the domain classifier's logits, or a conditional generator.
 */
import type { Config } from '../config/schema.js';
import { UserError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';

export type EvalMetric = Config['eval']['metrics'][number];

/** Every metric of evalSchema, in table order. */
export const EVAL_METRICS = ['fid', 'kid', 'is', 'precision-recall', 'density-coverage', 'intra-fid', 'cas', 'label-accuracy'] as const satisfies readonly EvalMetric[];

/** Fails to compile when evalSchema gains a metric this list lacks. */
export const EVAL_METRICS_COMPLETE: Exclude<EvalMetric, (typeof EVAL_METRICS)[number]> extends never ? true : never = true;

/** Metrics comparing generated features with real ones (the reference set). */
export const REAL_FEATURE_METRICS: ReadonlySet<EvalMetric> = new Set<EvalMetric>(['fid', 'kid', 'precision-recall', 'density-coverage', 'intra-fid']);
/** Metrics reading the domain classifier's class probabilities. */
export const CLASSIFIER_METRICS: ReadonlySet<EvalMetric> = new Set<EvalMetric>(['is', 'label-accuracy']);
/** Metrics that need the class each image was generated for. */
export const CONDITIONAL_METRICS: ReadonlySet<EvalMetric> = new Set<EvalMetric>(['intra-fid', 'cas', 'label-accuracy']);

/**
 * Parses a comma-separated metric list ('fid,kid' or 'all'); `flag` names the option in errors.
 * Duplicates are dropped; the order is the user's.
 */
export function parseMetricList(text: string, flag: string): EvalMetric[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) throw new UserError(`${flag}: expected a comma-separated list of metrics (${EVAL_METRICS.join(', ')}, or all)`);
  if (names.length === 1 && names[0] === 'all') return [...EVAL_METRICS];
  const out: EvalMetric[] = [];
  for (const name of names) {
    if (!(EVAL_METRICS as readonly string[]).includes(name)) {
      throw new UserError(`${flag}: unknown metric '${name}'${didYouMean(name, EVAL_METRICS)}; known: ${EVAL_METRICS.join(', ')}, all`);
    }
    if (!out.includes(name as EvalMetric)) out.push(name as EvalMetric);
  }
  return out;
}
