/**
 * `train(options)`: the GAN stage of the configured method in a run directory, from code, as
 * `s3gan train` runs it (the CLI calls trainInRun below). A run that has checkpoints resumes from
 * the newest; a finished run is reported as it is, unless `steps` asks for more.
 */
import { MetricsLog, type LoggedRecord } from '../artifacts/metrics-log.js';
import type { Config } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import { finalSampleGrid, GAN_STAGE, runGanStage } from '../stages/gan-stage.js';
import { loadPlannedDataset, openConfiguredRun, type StageStartHooks } from '../stages/stage-start.js';
import type { StopRequest } from '../util/interrupt.js';
import { abortStopRequest, optionOverrides, outputHooks, requireRunDir, resolveConfig, type ConfigOptions, type OutputOptions } from './options.js';
import { GAN_CHECKPOINTS_DIR, GAN_EXPORT_GENERATOR_DIR, GAN_EXPORT_GENERATOR_EMA_DIR, METRICS_FILE } from '../artifacts/run-layout.js';

export interface TrainOptions extends ConfigOptions, OutputOptions {
  /** The run directory (run.dir): created when new, resumed from its newest checkpoint otherwise. */
  readonly run: string;
  /** Generator steps in all (gan.steps); more than a finished run has continues it. */
  readonly steps?: number;
  /**
   * Stops training: the current step finishes, a checkpoint is written and the promise rejects
   * with an InterruptedError; the same call continues from there.
   */
  readonly signal?: AbortSignal;
}

/** What a GAN training left in its run directory. Paths are absolute. */
export interface TrainSummary {
  readonly runDir: string;
  readonly method: string;
  /** Generator steps done in all (gan.steps once finished). */
  readonly step: number;
  /** The step it resumed from (0 for a fresh start; `step` when it was finished already). */
  readonly resumedFrom: number;
  /** Whether the run had all its steps already, so nothing was trained. */
  readonly alreadyTrained: boolean;
  /** Real images the discriminator has seen in all. */
  readonly imagesSeen: number;
  /** The newest checkpoint directory (its generator/ and generator-ema/ load with loadGenerator). */
  readonly checkpoint: string;
  /** The sample grid of the last step (PNG). */
  readonly samples: string;
  /** Plain-tfjs exports of the generator and of its weight average (each with a browser page). */
  readonly exports: { readonly generator: string; readonly generatorEma: string };
  /** The training log (one JSON record per logged step), and its last GAN record. */
  readonly metricsFile: string;
  readonly lastMetrics: LoggedRecord | undefined;
}

/** Trains the GAN as `options` say; see TrainOptions. Bad input rejects with a UserError before anything is written. */
export async function train(options: TrainOptions): Promise<TrainSummary> {
  const runDir = requireRunDir(options.run);
  const config = await resolveConfig(options, optionOverrides({ run: ['run.dir', runDir], steps: ['gan.steps', options.steps] }), runDir);
  const hooks = outputHooks(options);
  const dataset = await loadPlannedDataset(config, [GAN_STAGE], hooks);
  return trainInRun(config, dataset, { ...hooks, stop: abortStopRequest(options.signal) });
}

/** The GAN stage on a config whose dataset is loaded and planned: opens the run, trains, closes it. */
export async function trainInRun(config: Config, dataset: Dataset, hooks: StageStartHooks & { readonly stop?: StopRequest }): Promise<TrainSummary> {
  const run = await openConfiguredRun(config, hooks);
  try {
    const result = await runGanStage(run, dataset, config, { log: hooks.log, progressStream: hooks.progressStream, stop: hooks.stop });
    const metricsFile = run.file(METRICS_FILE);
    const records = await MetricsLog.read(metricsFile);
    return {
      runDir: run.path,
      method: config.gan.method,
      step: result.step,
      resumedFrom: result.resumedFrom,
      alreadyTrained: result.resumedFrom >= config.gan.steps,
      imagesSeen: result.imagesSeen,
      checkpoint: result.checkpoint ?? run.file(GAN_CHECKPOINTS_DIR),
      samples: finalSampleGrid(run, result.step),
      exports: { generator: run.file(GAN_EXPORT_GENERATOR_DIR), generatorEma: run.file(GAN_EXPORT_GENERATOR_EMA_DIR) },
      metricsFile,
      lastMetrics: records.filter((record) => record.stage === GAN_STAGE).at(-1),
    };
  } finally {
    await run.close();
  }
}
