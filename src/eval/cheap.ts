/**
 * The cheap evaluation the GAN loop runs every eval.everySteps steps: FID and (for conditional
 * generators) label accuracy on eval.cheapSamples images against as many real ones, enough to
 * watch a run's trend, not to report (FID is biased upwards at small n; compare runs at equal n).
 * The evaluator (domain classifier, reference features) is prepared at the first call and kept.
 */
import type * as tf from '@tensorflow/tfjs';
import type { MetricRecord } from '../artifacts/metrics-log.js';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import { SILENT_PROGRESS, type ProgressStream } from '../util/progress.js';
import { evaluateGenerator } from './evaluate.js';
import { prepareEvaluation, type Evaluator } from './evaluator.js';
import { generatorShape } from './generate.js';
import type { EvalMetric } from './metric-names.js';
import type { EvalResults } from './results.js';

/** The metrics of a cheap evaluation. */
export const CHEAP_METRICS: readonly EvalMetric[] = ['fid', 'label-accuracy'];


export interface CheapEvaluation {
  /**
   * Trains or loads the domain classifier and the reference features now (the first evaluate
   * would), so that a bad extractor path or a missing split fails before training starts.
   */
  prepare(): Promise<void>;
  /** Scores `generator` (G-EMA at `step`): one flat record for metrics.jsonl. */
  evaluate(generator: tf.LayersModel, step: number): Promise<MetricRecord>;
  /** Releases the evaluator's models. */
  dispose(): Promise<void>;
}

export interface CheapEvaluationOptions {
  /** Progress of the first call's preparation (classifier training, reference features). */
  readonly progressStream?: ProgressStream;
  readonly log?: (line: string) => void;
}

/** A metrics.jsonl record of a cheap evaluation's results. */
export function cheapRecord(results: EvalResults): MetricRecord {
  const record: Record<string, number | string | null> = {};
  for (const m of results.metrics) record[m.metric === 'label-accuracy' ? 'labelAccuracy' : m.metric] = m.value;
  return {
    ...record,
    n_real: results.n_real,
    n_fake: results.n_fake,
    extractor: results.extractor?.name ?? null,
    split: results.split,
    generator: results.generator,
    seed: results.seed,
    evalImagesPerSecond: results.throughput.imagesPerSecond,
    evalSeconds: results.seconds.total,
  };
}

/** The cheap evaluation of `config` on `dataset` (the loop's `evaluate` callback). */
export function createCheapEvaluation(dataset: Dataset, config: Config, options: CheapEvaluationOptions = {}): CheapEvaluation {
  let evaluator: Promise<Evaluator> | undefined;
  const prepared = () =>
    (evaluator ??= prepareEvaluation({
      dataset,
      config,
      metrics: CHEAP_METRICS,
      realSamples: config.eval.cheapSamples,
      progressStream: options.progressStream,
      log: options.log,
    }));
  return {
    async prepare() {
      await prepared();
    },
    async evaluate(generator, step) {
      const metrics = generatorShape(generator).conditional ? CHEAP_METRICS : CHEAP_METRICS.filter((m) => m !== 'label-accuracy');
      const results = await evaluateGenerator(await prepared(), generator, {
        samples: config.eval.cheapSamples,
        metrics,
        seed: config.seed,
        generatorKind: 'generator-ema',
        step,
        // Per-step progress would interleave with the training's bar; only preparation shows progress.
        progressStream: SILENT_PROGRESS,
      });
      return cheapRecord(results);
    },
    async dispose() {
      const pending = evaluator;
      evaluator = undefined;
      if (pending !== undefined) (await pending.catch(() => undefined))?.dispose();
    },
  };
}
