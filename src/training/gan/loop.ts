/**
 * The GAN training loop (stage 3). It owns what spans steps: the position in the training batches,
 * the noise stream, images seen, the generator average, metrics, sample grids, checkpoints and resuming.
 * The math of one update lives in steps.ts and the losses; the networks in nn/.
 *
 * Resuming: the newest complete checkpoint restores weights, optimizer states, the noise Rng, the
 * pipeline position and the metrics not yet logged; metrics logged after it (by a run that was
 * killed later) are dropped, so a resumed run logs exactly what an uninterrupted run would have.
 * Checkpoints come every gan.checkpointEverySteps steps, every gan.checkpointEveryMinutes, and
 * when a stop is requested (util/interrupt.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { MetricsLog, type MetricRecord } from '../../artifacts/metrics-log.js';
import { GAN_EXPORT_NAMES } from '../../artifacts/run-layout.js';
import type { Config } from '../../config/schema.js';
import { trainingBatches, type Batch } from '../../data/batches.js';
import type { ImageSplit } from '../../data/types.js';
import type { MethodSpec } from '../../methods/methods.js';
import { createProgress, type ProgressPayload, type ProgressStream } from '../../util/progress.js';
import { UserError } from '../../util/errors.js';
import { InterruptedError, interruptedMessage, pollStop, type StopRequest } from '../../util/interrupt.js';
import { Rng } from '../../util/rng.js';
import { GAN_CHECKPOINT_LAYOUT, loadCheckpoint, saveCheckpoint, type CheckpointState } from './checkpoint.js';
import { newestIntactCheckpoint } from '../common/checkpoint-integrity.js';
import { CheckpointSchedule } from '../common/checkpoint-schedule.js';
import { checkFinite } from '../common/divergence.js';
import { createGanTraining, refreshEmaGenerator, type GanTraining } from './setup.js';
import { exportGenerator } from './export.js';
import { dropMetricsAfter, MetricWindow } from '../common/metric-window.js';
import { sampleClasses, sampleUniform, sampleZ } from './noise.js';
import { resolutionGridPath, sampleGridPath, writeClassGrid } from './samples.js';
import { applyGrowth, atGrowth, growthFor } from './growth-driver.js';
import { discriminatorStep, generatorStep } from './steps.js';

/** Rng stream of the training noise (z and y'); the data order uses the seed's own streams. */
export const TRAINING_NOISE_STREAM = 5;
/** The `stage` of the cheap evaluations' metrics.jsonl records. */
export const GAN_EVAL_STAGE = 'gan-eval';
/** Columns of the sample grids (images per class). */
const SAMPLE_GRID_COLUMNS = 10;

/** Where the loop writes, relative to nothing: absolute paths chosen by the caller. */
export interface GanLoopPaths {
  readonly checkpoints: string;
  readonly samples: string;
  readonly metrics: string;
  /** Directory receiving the final plain-tfjs exports `generator/` and `generator-ema/`. */
  readonly exports?: string;
}

export interface GanLoopInputs {
  readonly config: Config;
  readonly method: MethodSpec;
  /** The training split (images are read from it by index). */
  readonly split: ImageSplit;
  readonly numClasses: number;
  /** Names of the classes (index = label): row labels of the sample grids, recorded in checkpoints. */
  readonly classNames?: readonly string[];
  /** Label per split index (UNLABELLED only with co-training). */
  readonly labels: Int32Array;
  /** Split indices to train on (default: all). */
  readonly pool?: Int32Array;
  readonly paths: GanLoopPaths;
  /** Progress display (default stderr). */
  readonly progressStream?: ProgressStream;
  /** Stop after this generator step without the end-of-run writes, as a kill would (tests). */
  readonly stopAfterStep?: number;
  /** Called after every generator step (and its average update), e.g. to watch memory. */
  readonly onStep?: (step: number) => void;
  /** Called after each checkpoint is written (with its step), e.g. to redraw the training curves. */
  readonly onCheckpoint?: (step: number) => Promise<void>;
  /**
   * A cheap evaluation of G-EMA, run every config.eval.everySteps steps (when > 0); its record is
   * logged to metrics.jsonl with stage GAN_EVAL_STAGE. It must leave the tensor count unchanged.
   */
  readonly evaluate?: (generator: tf.LayersModel, step: number) => Promise<MetricRecord>;
  /**
   * Called once the newest checkpoint is loaded and checked, before the loop writes anything (with
   * the step it resumes from): the caller marks its stage started here, so a refused resume leaves
   * no trace.
   */
  readonly onStart?: (resumedFrom: number) => Promise<void>;
  /** Called before onStart with the networks (checkpoint loaded, if any): fine-tuning's initialisation and FreezeD. */
  readonly prepare?: (training: GanTraining, resumedFrom: number) => Promise<void>;
  /** Lines for people, e.g. a damaged checkpoint skipped (default stderr). */
  readonly log?: (line: string) => void;
  /**
   * A stop request (the CLI's comes from Ctrl-C), polled once per step: when asked, the loop
   * finishes the step, writes a checkpoint and throws an InterruptedError.
   */
  readonly stop?: StopRequest;
  /** Clock in milliseconds for gan.checkpointEveryMinutes (default Date.now; tests pass a fake one). */
  readonly now?: () => number;
  /** Replacement step functions (tests inject failures through these). */
  readonly steps?: { readonly discriminator?: typeof discriminatorStep; readonly generator?: typeof generatorStep };
}

export interface GanLoopResult {
  /** Generator steps done in all (including those before a resume). */
  readonly step: number;
  readonly imagesSeen: number;
  /** The step the run resumed from (0 for a fresh start). */
  readonly resumedFrom: number;
  /** The newest checkpoint directory. */
  readonly checkpoint: string | undefined;
}

function freshState(inputs: GanLoopInputs): CheckpointState {
  return {
    step: 0,
    imagesSeen: 0,
    batchesSeen: 0,
    rngState: new Rng(inputs.config.seed, TRAINING_NOISE_STREAM).state(),
    method: inputs.method.name,
    numClasses: inputs.method.conditional ? inputs.numClasses : 0,
    ...(inputs.method.conditional && inputs.classNames !== undefined ? { classNames: [...inputs.classNames] } : {}),
    architecture: inputs.config.gan.architecture,
  };
}

/** Trains until config.gan.steps generator steps are done, resuming from the newest checkpoint. */
export async function trainGan(inputs: GanLoopInputs): Promise<GanLoopResult> {
  const { config, method, paths } = inputs;
  const gan = config.gan;
  checkBatchSize(gan, method);
  // ProGAN's growth schedule (absent for the fixed-size architectures), checked before anything is built.
  const growthPlan = growthFor(gan, method, config.data.imageSize);
  const [, , , channels] = inputs.split.shape;
  const training = createGanTraining(gan, method, { numClasses: inputs.numClasses, imageSize: config.data.imageSize, channels: channels as 1 | 3 }, config.seed);
  let iterator: Awaited<ReturnType<tf.data.Dataset<Batch>['iterator']>> | undefined;
  try {
    // 1. Resume from the newest checkpoint whose files are whole, if any; checked before any write.
    const note = inputs.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const newest = await newestIntactCheckpoint(paths.checkpoints, GAN_CHECKPOINT_LAYOUT, { log: note, stage: 'the GAN stage' });
    const state = newest === undefined ? freshState(inputs) : await loadCheckpoint(newest.path, training);
    if (state.method !== method.name) {
      throw new UserError(`checkpoint ${newest?.path} was trained with method ${state.method}, the config says ${method.name}; use another run.dir`);
    }
    const resumedFrom = state.step;
    await inputs.prepare?.(training, resumedFrom);
    await inputs.onStart?.(resumedFrom);
    await mkdir(paths.checkpoints, { recursive: true });
    await mkdir(paths.samples, { recursive: true });
    // The untrained generator's grid: what every later grid (same noise) is compared with.
    if (resumedFrom === 0) await writeSamples(training, inputs, sampleGridPath(paths.samples, 0));
    await dropMetricsAfter(paths.metrics, 'gan', resumedFrom);
    await dropMetricsAfter(paths.metrics, GAN_EVAL_STAGE, resumedFrom);
    if (state.step >= gan.steps) return { step: state.step, imagesSeen: state.imagesSeen, resumedFrom, checkpoint: newest?.path };

    // 2. The training batches continue at the batch the checkpoint reached (with a growth schedule,
    //    at the batch size of the current resolution: the batch index counts batches of any size).
    const openBatches = async (size: number) =>
      await trainingBatches(inputs.split, {
        batchSize: size,
        seed: config.seed,
        startBatch: state.batchesSeen,
        imageSize: config.data.imageSize,
        fit: config.data.fit,
        prefetchBatches: config.data.prefetchBatches,
        indices: inputs.pool,
        labels: inputs.labels,
      }).iterator();
    let batchSize = growthPlan?.at(state.imagesSeen).batchSize ?? gan.batchSize;
    iterator = await openBatches(batchSize);
    const rng = Rng.fromState(state.rngState);
    const log = MetricsLog.open(paths.metrics);
    const progress = createProgress({ label: resumedFrom > 0 ? `gan (from step ${resumedFrom})` : 'gan', total: gan.steps - resumedFrom, unit: 'steps', stream: inputs.progressStream, announce: true });
    const window = new MetricWindow(state.imagesSeen, state.pendingMetrics);
    const schedule = new CheckpointSchedule(gan.checkpointEverySteps, gan.checkpointEveryMinutes, inputs.now);
    let checkpoint = newest?.path;
    let losses: ProgressPayload = {};
    let evaluated: ProgressPayload = {};
    const unlisten = inputs.stop?.listen();
    // The D step's view of the models; absent when the objective reads no D (MvM).
    const { discriminator } = training.models;
    const dModels = discriminator === undefined ? undefined : { ...training.models, discriminator };
    const dOptimizer = training.dOptimizer;
    try {
      for (let step = state.step + 1; step <= gan.steps; step++) {
        // 3. ProGAN: the growth of this step from the images shown; a new phase resets Adam, a new
        //    resolution first draws the finished one's grid and serves batches of its own size.
        const growth = growthPlan?.at(state.imagesSeen);
        if (growth !== undefined) {
          const previous = state.phase === undefined ? undefined : growthPlan!.resolutionOf(state.phase);
          if (previous !== undefined && growth.resolution !== previous) await writeSamples(training, inputs, resolutionGridPath(paths.samples, previous));
          applyGrowth(training, growth, state.phase);
          state.phase = growth.phase;
          if (growth.batchSize !== batchSize) {
            // The old iterator's prefetched batches (data.prefetchBatches) are left to the garbage collector.
            batchSize = growth.batchSize;
            iterator = await openBatches(batchSize);
          }
        }
        // 4. dSteps discriminator updates, each on a fresh real batch and fresh noise (none without D).
        for (let d = 0; dModels !== undefined && dOptimizer !== undefined && d < gan.dSteps; d++) {
          const next = await iterator.next();
          const batch = atGrowth(next.value as Batch, growth);
          const z = sampleZ(rng, batchSize, gan.zDim);
          const fakeLabels = sampleClasses(rng, batchSize, method.conditional ? inputs.numClasses : 0);
          // A penalty's U[0, 1] draws come after z and y' (none without a penalty: other runs draw as before).
          const uniform = sampleUniform(rng, training.objective.discriminatorUniform, batch.images.shape);
          try {
            const result = (inputs.steps?.discriminator ?? discriminatorStep)(dModels, dOptimizer, { realImages: batch.images, realLabels: batch.labels, z, fakeLabels, uniform }, training.stepOptions);
            checkFinite(result, step, checkpoint);
            window.add(result);
          } finally {
            tf.dispose([batch.images, batch.labels, batch.indices, z, fakeLabels, ...(uniform === undefined ? [] : [uniform])]);
          }
          state.batchesSeen += 1;
          state.imagesSeen += batchSize;
        }
        // 5. One generator update (on a real batch too when a G term reads one), then each extra
        //    network of the objective in its own phase, on the same batch and noise (MvM's F).
        const objective = training.objective;
        const needsReal = objective.generatorReadsReal || objective.networks.length > 0;
        const real = needsReal ? atGrowth((await iterator.next()).value as Batch, growth) : undefined;
        if (real !== undefined) state.batchesSeen += 1;
        // Without D, the real images seen are those of the G step and the networks' phase.
        if (real !== undefined && dOptimizer === undefined) state.imagesSeen += batchSize;
        const z = sampleZ(rng, batchSize, gan.zDim);
        const fakeLabels = objective.fakesFollowRealLabels && real !== undefined ? real.labels.clone() : sampleClasses(rng, batchSize, method.conditional ? inputs.numClasses : 0);
        try {
          const result = (inputs.steps?.generator ?? generatorStep)(training.models, training.gOptimizer, { z, fakeLabels, ...(real === undefined ? {} : { realImages: real.images, realLabels: real.labels }) }, training.stepOptions);
          checkFinite(result, step, checkpoint);
          window.add(result);
          if (growth !== undefined) window.add({ growthResolution: growth.resolution, fadeAlpha: growth.alpha });
          for (const network of objective.networks) {
            const logged = network.update(training.models, { realImages: real!.images, realLabels: real!.labels, z, fakeLabels }, rng);
            checkFinite(logged, step, checkpoint);
            window.add(logged);
          }
        } finally {
          tf.dispose([z, fakeLabels, ...(real === undefined ? [] : [real.images, real.labels, real.indices])]);
        }
        training.ema.update(step);
        state.step = step;
        state.rngState = rng.state();
        inputs.onStep?.(step);

        // 6. Logs, samples and checkpoints on their schedules (and always at the end).
        const last = step === gan.steps;
        if (step % gan.logEverySteps === 0 || last) {
          const record = window.flush(step, state.imagesSeen);
          log.log({ stage: 'gan', ...record });
          losses = progressLosses(record);
          progress.update(step - resumedFrom, { ...losses, ...evaluated });
        } else {
          progress.update(step - resumedFrom);
        }
        if ((gan.sampleEverySteps > 0 && step % gan.sampleEverySteps === 0) || last) await writeSamples(training, inputs, sampleGridPath(paths.samples, step));
        if (last && growth !== undefined) await writeSamples(training, inputs, resolutionGridPath(paths.samples, growth.resolution));
        if (inputs.evaluate !== undefined && config.eval.everySteps > 0 && step % config.eval.everySteps === 0) {
          refreshEmaGenerator(training);
          const scores = await inputs.evaluate(training.emaGenerator, step);
          log.log({ stage: GAN_EVAL_STAGE, step, ...scores });
          // The newest cheap evaluation stays on the progress line next to the losses.
          evaluated = progressScores(scores);
          progress.update(step - resumedFrom, { ...losses, ...evaluated });
        }
        if (last && paths.exports !== undefined) await writeExports(training, inputs, paths.exports);
        const stopSignal = await pollStop(inputs.stop);
        if (schedule.due(step, last) || stopSignal !== undefined) {
          checkpoint = await saveCheckpoint(paths.checkpoints, training, { ...state, pendingMetrics: window.pending() }, gan.keepCheckpoints);
          schedule.written();
          await inputs.onCheckpoint?.(step);
        }
        if (stopSignal !== undefined) throw new InterruptedError(interruptedMessage('GAN training', step, checkpoint as string), stopSignal);
        if (step === inputs.stopAfterStep) break;
      }
    } finally {
      unlisten?.();
      progress.stop();
      log.close();
    }
    return { step: state.step, imagesSeen: state.imagesSeen, resumedFrom, checkpoint };
  } finally {
    training.dispose();
  }
}

/** The final generator and its average as plain tfjs models with their browser page (export.ts). */
async function writeExports(training: GanTraining, inputs: GanLoopInputs, dir: string): Promise<void> {
  refreshEmaGenerator(training);
  await mkdir(dir, { recursive: true });
  const options = { classNames: inputs.method.conditional ? inputs.classNames : undefined };
  await exportGenerator(training.models.generator, path.join(dir, GAN_EXPORT_NAMES.generator), options);
  await exportGenerator(training.emaGenerator, path.join(dir, GAN_EXPORT_NAMES.generatorEma), options);
}

/** Rotation needs whole groups of 4·rotatedBatchFraction images, mode seeking a pair; say so before building anything. */
export function checkBatchSize(gan: Config['gan'], method: MethodSpec): void {
  const group = 4 * gan.rotatedBatchFraction;
  if (method.rotation && gan.batchSize % group !== 0) {
    throw new UserError(`gan.batchSize (${gan.batchSize}) must be a multiple of 4 · gan.rotatedBatchFraction = ${group} for method ${method.name}`);
  }
  if (gan.modeSeekingWeight > 0 && gan.batchSize < 2) {
    throw new UserError(`gan.modeSeekingWeight > 0 compares pairs of generated images: gan.batchSize must be at least 2, got ${gan.batchSize}`);
  }
}

async function writeSamples(training: GanTraining, inputs: GanLoopInputs, file: string): Promise<void> {
  refreshEmaGenerator(training);
  await writeClassGrid(file, training.emaGenerator, {
    numClasses: inputs.method.conditional ? inputs.numClasses : SAMPLE_GRID_COLUMNS,
    perClass: SAMPLE_GRID_COLUMNS,
    zDim: inputs.config.gan.zDim,
    conditional: inputs.method.conditional,
    classNames: inputs.classNames,
    seed: inputs.config.seed,
  });
}

/** The losses of a metrics record for the progress line: D's and G's, or MvM's metric and matching losses. */
function progressLosses(record: MetricRecord): ProgressPayload {
  const shown: Record<string, number> = {};
  for (const key of ['dLoss', 'gLoss', 'metricLoss'] as const) if (typeof record[key] === 'number') shown[key] = record[key];
  return shown;
}

/** The cheap evaluation's FID and label accuracy for the progress line (those it computed). */
function progressScores(scores: MetricRecord): ProgressPayload {
  const shown: Record<string, number> = {};
  if (typeof scores.fid === 'number') shown.fid = scores.fid;
  if (typeof scores.labelAccuracy === 'number') shown.labelAcc = scores.labelAccuracy;
  return shown;
}
