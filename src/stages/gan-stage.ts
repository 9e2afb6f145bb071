/**
 * Stage 3 as one call: the configured method's labels, then the GAN loop in the run directory, its
 * progress recorded in the manifest. Used by `s3gan train` and by the pipelines.
 */
import { GAN_CHECKPOINTS_DIR, GAN_SAMPLES_DIR, METRICS_FILE, type RunDir } from '../artifacts/run-dir.js';
import { configHash } from '../config/hash.js';
import type { Config } from '../config/schema.js';
import { LABELS_FILE } from '../data/labels-file.js';
import type { Dataset } from '../data/types.js';
import { createCheapEvaluation } from '../eval/cheap.js';
import { getMethod } from '../methods/methods.js';
import { sampleGridPath } from '../training/samples.js';
import { trainingLabelSet } from '../training/label-source.js';
import { trainGan, type GanLoopResult } from '../training/loop.js';
import { InterruptedError, type StopRequest } from '../util/interrupt.js';
import type { ProgressStream } from '../util/progress.js';
import { runLabelledSubset } from './labelled-subset.js';

export const GAN_STAGE = 'gan';
/** Plain-tfjs exports of the final generator and its average. */
export const GAN_EXPORT_DIR = 'gan/export';

export interface GanStageOptions {
  readonly progressStream?: ProgressStream;
  /** Lines for the user (what is trained on what). */
  readonly log?: (line: string) => void;
  /** Stop after this step as a kill would (tests). */
  readonly stopAfterStep?: number;
  /** A stop request (Ctrl-C in the CLI): training stops after a step with a checkpoint written. */
  readonly stop?: StopRequest;
}

/** The config sections the GAN stage's result depends on. */
export function ganStageHash(config: Config): string {
  return configHash({ seed: config.seed, data: config.data, labels: config.labels, gan: config.gan });
}

export async function runGanStage(run: RunDir, dataset: Dataset, config: Config, options: GanStageOptions = {}): Promise<GanLoopResult> {
  const method = getMethod(config.gan.method);
  const labelSet = await trainingLabelSet(method, dataset, {
    seed: config.seed,
    labelsFile: run.file(LABELS_FILE),
    labelledSubset: () => runLabelledSubset(run, dataset, config),
  });
  options.log?.(`method ${method.name} (${method.summary}): ${labelSet.description}`);
  await run.markStage(GAN_STAGE, { status: 'running', artifacts: [], configHash: ganStageHash(config) });
  // Cheap FID / label accuracy during training (eval.everySteps > 0), logged by the loop.
  const cheap = config.eval.everySteps > 0 ? createCheapEvaluation(dataset, config, { progressStream: options.progressStream, log: options.log }) : undefined;
  try {
    await run.ensureDir('gan');
    await cheap?.prepare();
    const result = await trainGan({
      config,
      method,
      split: dataset.train,
      numClasses: dataset.classNames.length,
      labels: labelSet.labels,
      pool: labelSet.pool,
      paths: {
        checkpoints: run.file(GAN_CHECKPOINTS_DIR),
        samples: run.file(GAN_SAMPLES_DIR),
        metrics: run.file(METRICS_FILE),
        exports: run.file(GAN_EXPORT_DIR),
      },
      progressStream: options.progressStream,
      stopAfterStep: options.stopAfterStep,
      evaluate: cheap?.evaluate,
      stop: options.stop,
    });
    const done = result.step >= config.gan.steps;
    const artifacts = [GAN_CHECKPOINTS_DIR, GAN_SAMPLES_DIR, ...(done ? [`${GAN_EXPORT_DIR}/generator`, `${GAN_EXPORT_DIR}/generator-ema`] : [])];
    await run.markStage(GAN_STAGE, { status: done ? 'done' : 'running', artifacts, configHash: ganStageHash(config) });
    return result;
  } catch (error) {
    // A stop on request is no failure: the stage resumes from the checkpoint just written.
    if (error instanceof InterruptedError) await run.markStage(GAN_STAGE, { status: 'running', artifacts: [GAN_CHECKPOINTS_DIR, GAN_SAMPLES_DIR], configHash: ganStageHash(config) });
    else await run.markStage(GAN_STAGE, { status: 'failed', error: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    await cheap?.dispose();
  }
}

/** Path of the newest sample grid of a loop result (written at the last step). */
export function finalSampleGrid(run: RunDir, step: number): string {
  return sampleGridPath(run.file(GAN_SAMPLES_DIR), step);
}
