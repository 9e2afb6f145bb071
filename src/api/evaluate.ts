/**
 * `evaluate(runDir, options)`: scores a run's generator from code, as `s3gan eval` does (the CLI
 * calls evaluateInRun below): FID, KID, IS, precision/recall, density/coverage, intra-FID, CAS and
 * label accuracy against the real split eval.split, written to eval/results.json and returned.
 */
import * as path from 'node:path';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import type { MetricRequest } from '../eval/applicability.js';
import type { EvalMetric } from '../eval/metric-names.js';
import { configMetrics, EVAL_STAGE, findCheckpoint, runEvalStage, type EvalResultsFile } from '../stages/eval-stage.js';
import { checkRunData } from '../stages/eval-run-data.js';
import { loadPlannedDataset, openConfiguredRun, type StageStartHooks } from '../stages/stage-start.js';
import { optionOverrides, outputHooks, requireRunDir, resolveConfig, type ConfigOptions, type OutputOptions } from './options.js';
import { GAN_CHECKPOINTS_DIR } from '../artifacts/run-layout.js';

export interface EvaluateOptions extends ConfigOptions, OutputOptions {
  /**
   * Metrics to compute (eval.metrics), each of which must apply to this generator and dataset; or
   * 'all': every one that applies (the others are recorded as skipped, with why).
   */
  readonly metrics?: readonly EvalMetric[] | 'all';
  /** Generated (and real) images per metric (eval.samples). */
  readonly samples?: number;
  /** Score the weight average G-EMA (as papers report) instead of G. Default false. */
  readonly ema?: boolean;
  /** Noise seed of the generated images (default: the config seed). */
  readonly seed?: number;
  /** The checkpoint of this generator step instead of the newest. */
  readonly step?: number;
}

/**
 * Evaluates the generator of the run in `runDir`; see EvaluateOptions. The run's own config applies
 * unless `config` is given; data settings that differ from the run's are refused.
 */
export async function evaluate(runDir: string, options: EvaluateOptions = {}): Promise<EvalResultsFile> {
  requireRunDir(runDir, 'evaluate(runDir)');
  const all = options.metrics === 'all';
  const named = options.metrics === undefined || all ? undefined : [...(options.metrics as readonly EvalMetric[])];
  const config = await resolveConfig(options, optionOverrides({ runDir: ['run.dir', runDir], samples: ['eval.samples', options.samples], metrics: ['eval.metrics', named] }), runDir);
  const checkpoint = await findCheckpoint(path.resolve(config.run.dir, GAN_CHECKPOINTS_DIR), config.run.dir, options.step);
  checkRunData(config, 'drop the config or set entry that changes them');
  const request: MetricRequest = all ? { kind: 'all', source: 'metrics' } : named === undefined ? configMetrics(config) : { kind: 'named', metrics: config.eval.metrics, source: 'metrics' };
  const hooks = outputHooks(options);
  const dataset = await loadPlannedDataset(config, [EVAL_STAGE], hooks);
  return (await evaluateInRun(config, dataset, hooks, { ema: options.ema === true, step: checkpoint.step, seed: options.seed, metrics: request })).results;
}

/** The evaluation on a config whose dataset is loaded and planned: opens the run, evaluates, closes it. */
export async function evaluateInRun(
  config: Config,
  dataset: Dataset,
  hooks: StageStartHooks,
  options: { readonly ema: boolean; readonly step: number; readonly seed?: number; readonly metrics: MetricRequest },
): Promise<{ results: EvalResultsFile; file: string }> {
  const run = await openConfiguredRun(config, hooks);
  try {
    return await runEvalStage(run, dataset, config, { ...options, log: hooks.log, progressStream: hooks.progressStream });
  } finally {
    await run.close();
  }
}
