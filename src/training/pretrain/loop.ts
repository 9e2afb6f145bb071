/**
 * The rotation-pretraining loop (stage 1; RotNet, Gidaris et al. ICLR 2018): every batch of
 * training images is shown at 0°, 90°, 180° and 270° in the same update (their Sec. 3 reports
 * this clearly beats one random rotation per image), and the encoder learns to tell which with a
 * 4-way softmax cross-entropy, minimised with Adam. Labels are never read.
 *
 * A held-out set (pretrain.heldOutFraction of the training images, chosen by the seed) is never
 * trained on; its rotation accuracy, in inference mode, is logged at every log step (on its first
 * pretrain.logHeldOutImages images) and, on the whole set, at the end.
 *
 * Resuming: the newest complete checkpoint restores the encoder (batch-norm statistics included),
 * Adam's state, the input position and the metrics not yet logged; metrics logged after it are
 * dropped, so a resumed run logs exactly what an uninterrupted run would have. Checkpoints come on
 * a step and a time schedule, and when a stop is requested (util/interrupt.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir } from 'node:fs/promises';
import { writeDirAtomic } from '../../artifacts/atomic-dir.js';
import { MetricsLog } from '../../artifacts/metrics-log.js';
import { writeModelDir } from '../../artifacts/model-files.js';
import { configHash } from '../../config/hash.js';
import type { Config } from '../../config/schema.js';
import { batchIndices, gatherPixels, toNetworkInput } from '../../data/batches.js';
import { allRotations } from '../../data/rotate.js';
import type { FitMode } from '../../data/transforms.js';
import { splitSize, type ImageSplit } from '../../data/types.js';
import { rotationLoss } from '../../losses/rotation.js';
import { blockChannels, buildRotationEncoder, splitEncoderOutputs } from '../../nn/architectures/rotation-encoder.js';
import { createProgress, type ProgressStream } from '../../util/progress.js';
import { invariant, UserError } from '../../util/errors.js';
import { InterruptedError, interruptedMessage, pollStop, type StopRequest } from '../../util/interrupt.js';
import { Rng } from '../../util/rng.js';
import { CheckpointSchedule } from '../common/checkpoint-schedule.js';
import { DivergenceError, resumeAdvice } from '../common/divergence.js';
import { fusedAdam } from '../common/fused-adam.js';
import { dropMetricsAfter, MetricWindow } from '../common/metric-window.js';
import { loadPretrainCheckpoint, PRETRAIN_CHECKPOINT_LAYOUT, savePretrainCheckpoint, type PretrainCheckpointState } from './checkpoint.js';
import { newestIntactCheckpoint } from '../common/checkpoint-integrity.js';
import { trainableVariables } from '../common/variables.js';

/** Stage name in metrics.jsonl records. */
export const PRETRAIN_METRICS_STAGE = 'pretrain';
/** Rng stream of the held-out choice; the data order uses the seed's streams 0, 1, … (one per epoch). */
export const HELD_OUT_STREAM = 0x0ded;

export interface PretrainLoopPaths {
  readonly checkpoints: string;
  readonly metrics: string;
  /** Directory receiving the final encoder (written atomically), if given. */
  readonly encoder?: string;
}

export interface PretrainLoopInputs {
  readonly config: Config;
  /** The training split; its labels are not read. */
  readonly split: ImageSplit;
  readonly paths: PretrainLoopPaths;
  /** Progress display (default stderr). */
  readonly progressStream?: ProgressStream;
  /** Stop after this step without the end-of-run writes, as a kill would (tests). */
  readonly stopAfterStep?: number;
  /**
   * Called once the newest checkpoint is loaded and checked, before the loop writes anything (with
   * the step it resumes from): the caller marks its stage started here.
   */
  readonly onStart?: (resumedFrom: number) => Promise<void>;
  /** Lines for people, e.g. a damaged checkpoint skipped (default stderr). */
  readonly log?: (line: string) => void;
  /** Called after every update with the split indices of its batch, e.g. to watch memory or the data. */
  readonly onStep?: (step: number, batch: Int32Array) => void;
  /** Called after each checkpoint is written (with its step), e.g. to redraw the training curves. */
  readonly onCheckpoint?: (step: number) => Promise<void>;
  /**
   * A stop request (the CLI's comes from Ctrl-C), polled once per step: when asked, the loop
   * finishes the step, writes a checkpoint and throws an InterruptedError.
   */
  readonly stop?: StopRequest;
  /** Clock in milliseconds for pretrain.checkpointEveryMinutes (default Date.now; tests pass a fake one). */
  readonly now?: () => number;
}

/** Rotation prediction on held-out images at all four rotations. */
export interface RotationScore {
  /** Fraction of (image, rotation) pairs predicted right, in [0, 1]. */
  readonly accuracy: number;
  /** Mean softmax cross-entropy (nats). */
  readonly loss: number;
  /** Images scored (each at four rotations). */
  readonly images: number;
}

export interface PretrainLoopResult {
  /** Updates done in all (including those before a resume). */
  readonly step: number;
  readonly imagesSeen: number;
  /** The step the run resumed from (0 for a fresh start). */
  readonly resumedFrom: number;
  /** The newest checkpoint directory. */
  readonly checkpoint: string | undefined;
  /** Score on the whole held-out set at the end; undefined when stopped early. */
  readonly heldOut: RotationScore | undefined;
  readonly trainImages: number;
  readonly heldOutImages: number;
  /** Seconds of training over all resumed runs (checkpointed time plus this run's). */
  readonly trainSeconds: number;
  /** Channels of the pooled features of block 0..3. */
  readonly blockFeatureSizes: number[];
}

/**
 * The held-out set (round(fraction · count) images, at least 1, in the seed's random order) and the
 * training pool (the rest, ascending). The same seed, fraction and count give the same sets.
 */
export function heldOutSplit(count: number, fraction: number, seed: number): { heldOut: Int32Array; train: Int32Array } {
  const size = Math.min(count - 1, Math.max(1, Math.round(fraction * count)));
  if (size < 1) throw new UserError(`pretrain needs at least 2 training images to hold one out, got ${count}`);
  const order = new Rng(seed, HELD_OUT_STREAM).permutation(count);
  const heldOut = order.slice(0, size);
  const train = order.slice(size).sort();
  return { heldOut, train };
}

/**
 * One Adam update on `images` [B, s, s, c] shown at all four rotations ([4B, s, s, c] rows):
 * minimise CE(encoder(rot_r(x)), r). Returns the loss and the training accuracy as numbers.
 */
export function pretrainStep(encoder: tf.LayersModel, optimizer: tf.Optimizer, images: tf.Tensor4D): { loss: number; accuracy: number } {
  const rotated = allRotations(images);
  const kept: tf.Tensor[] = [rotated.images, rotated.rotationLabels];
  try {
    let accuracy: tf.Scalar | undefined;
    const loss = optimizer.minimize(
      () => {
        const { rotationLogits } = splitEncoderOutputs(encoder.apply(rotated.images, { training: true }) as tf.Tensor[]);
        const result = rotationLoss(rotationLogits, rotated.rotationLabels);
        accuracy = tf.keep(result.accuracy);
        kept.push(accuracy);
        return result.loss;
      },
      true,
      trainableVariables(encoder),
    );
    invariant(loss !== null && accuracy !== undefined, 'the rotation loss was computed');
    kept.push(loss);
    return { loss: loss.dataSync()[0], accuracy: accuracy.dataSync()[0] };
  } finally {
    tf.dispose(kept);
  }
}

/** Rotation accuracy and loss of `encoder` in inference mode on `indices` of `split`, `batchSize` images at a time. */
export async function rotationScore(
  encoder: tf.LayersModel,
  split: ImageSplit,
  indices: Int32Array,
  options: { imageSize: number; fit: FitMode; batchSize: number },
): Promise<RotationScore> {
  let correct = 0;
  let lossSum = 0;
  for (let start = 0; start < indices.length; start += options.batchSize) {
    const batch = indices.subarray(start, Math.min(indices.length, start + options.batchSize));
    const [accuracy, loss] = tf.tidy(() => {
      const images = toNetworkInput(split, gatherPixels(split, batch), batch.length, options.imageSize, options.fit);
      const rotated = allRotations(images);
      const { rotationLogits } = splitEncoderOutputs(encoder.apply(rotated.images, { training: false }) as tf.Tensor[]);
      const result = rotationLoss(rotationLogits, rotated.rotationLabels);
      return [result.accuracy, result.loss];
    });
    const rows = 4 * batch.length;
    // The mean times the row count is an integer up to float32 rounding; counted exactly.
    correct += Math.round((await accuracy.data())[0] * rows);
    lossSum += (await loss.data())[0] * rows;
    tf.dispose([accuracy, loss]);
  }
  const rows = 4 * indices.length;
  return { accuracy: rows > 0 ? correct / rows : Number.NaN, loss: rows > 0 ? lossSum / rows : Number.NaN, images: indices.length };
}

/** What a checkpoint must share with the run that resumes from it (see PretrainCheckpointState). */
function resumeKey(config: Config, split: ImageSplit): string {
  const { seed, data, pretrain } = config;
  return configHash({
    seed,
    images: split.shape,
    data: { name: data.name, path: data.path, imageSize: data.imageSize, channels: data.channels, fit: data.fit, skipCorrupt: data.skipCorrupt },
    pretrain: { architecture: pretrain.architecture, width: pretrain.width, batchSize: pretrain.batchSize, heldOutFraction: pretrain.heldOutFraction },
  });
}

/** Trains until config.pretrain.steps updates are done, resuming from the newest checkpoint. */
export async function trainRotationEncoder(inputs: PretrainLoopInputs): Promise<PretrainLoopResult> {
  const { config, split, paths } = inputs;
  const pretrain = config.pretrain;
  const { imageSize, fit } = config.data;
  const sets = heldOutSplit(splitSize(split), pretrain.heldOutFraction, config.seed);
  if (sets.train.length < pretrain.batchSize) {
    throw new UserError(`pretrain.batchSize (${pretrain.batchSize}) is larger than the ${sets.train.length} training images left after holding out ${sets.heldOut.length}`);
  }
  const channels = split.shape[3] as 1 | 3;
  const encoder = buildRotationEncoder({ architecture: pretrain.architecture, width: pretrain.width, imageSize, channels, seed: config.seed });
  const optimizer = fusedAdam(pretrain.learningRate);
  const score = (indices: Int32Array) => rotationScore(encoder, split, indices, { imageSize, fit, batchSize: pretrain.batchSize });
  const key = resumeKey(config, split);
  const sessionStart = performance.now();
  try {
    // 1. Resume from the newest checkpoint whose files are whole, if any; checked before any write.
    const note = inputs.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const newest = await newestIntactCheckpoint(paths.checkpoints, PRETRAIN_CHECKPOINT_LAYOUT, { log: note, stage: 'pretraining' });
    const fresh: PretrainCheckpointState = { step: 0, imagesSeen: 0, batchesSeen: 0, trainSeconds: 0, resumeKey: key };
    const state = newest === undefined ? fresh : await loadPretrainCheckpoint(newest.path, encoder, optimizer);
    if (state.resumeKey !== key) {
      throw new UserError(
        `checkpoint ${newest?.path} was trained with other seed, data or pretrain settings (architecture, width, batchSize, heldOutFraction); use another run.dir, or delete ${paths.checkpoints} to start over`,
      );
    }
    const resumedFrom = state.step;
    await inputs.onStart?.(resumedFrom);
    await mkdir(paths.checkpoints, { recursive: true });
    await dropMetricsAfter(paths.metrics, PRETRAIN_METRICS_STAGE, resumedFrom);
    const elapsed = () => state.trainSeconds + (performance.now() - sessionStart) / 1000;
    let checkpoint = newest?.path;
    let heldOut: RotationScore | undefined;

    // 2. The updates, each on the next batch of the seeded order over the training pool.
    if (state.step < pretrain.steps) {
      const log = MetricsLog.open(paths.metrics);
      const label = resumedFrom > 0 ? `pretrain (from step ${resumedFrom})` : 'pretrain';
      const progress = createProgress({ label, total: pretrain.steps - resumedFrom, unit: 'steps', stream: inputs.progressStream, announce: true });
      const window = new MetricWindow(state.imagesSeen, state.pendingMetrics);
      const schedule = new CheckpointSchedule(pretrain.checkpointEverySteps, pretrain.checkpointEveryMinutes, inputs.now);
      const unlisten = inputs.stop?.listen();
      try {
        for (let step = state.step + 1; step <= pretrain.steps; step++) {
          // Batches are made here rather than by a prefetching tf.data stream, so no prefetched
          // tensors outlive the loop; the order is that of trainingBatches (batchIndices).
          const indices = batchIndices(sets.train, pretrain.batchSize, config.seed, state.batchesSeen);
          const images = toNetworkInput(split, gatherPixels(split, indices), indices.length, imageSize, fit);
          let result: { loss: number; accuracy: number };
          try {
            result = pretrainStep(encoder, optimizer, images);
          } finally {
            images.dispose();
          }
          if (!Number.isFinite(result.loss)) {
            throw new DivergenceError(`rotation pretraining diverged at step ${step}: loss = ${result.loss}; ${resumeAdvice(checkpoint, 'pretrain.learningRate')}`);
          }
          window.add(result);
          state.step = step;
          state.batchesSeen += 1;
          state.imagesSeen += pretrain.batchSize;
          inputs.onStep?.(step, indices);

          // 3. Logs (with the held-out score) and checkpoints on their schedules, and at the end.
          const last = step === pretrain.steps;
          if (step % pretrain.logEverySteps === 0 || last) {
            const record = window.flush(step, state.imagesSeen);
            const scored = last ? sets.heldOut : sets.heldOut.subarray(0, pretrain.logHeldOutImages);
            const current = scored.length > 0 ? await score(scored) : undefined;
            if (last) heldOut = current;
            const heldOutFields: Record<string, number> = current === undefined ? {} : { heldOutAccuracy: current.accuracy, heldOutLoss: current.loss, heldOutImages: current.images };
            log.log({ stage: PRETRAIN_METRICS_STAGE, ...record, ...heldOutFields });
            progress.update(step - resumedFrom, { loss: record.loss as number, acc: record.accuracy as number, ...(current === undefined ? {} : { heldOut: current.accuracy }) });
          } else {
            progress.update(step - resumedFrom);
          }
          const stopSignal = await pollStop(inputs.stop);
          if (schedule.due(step, last) || stopSignal !== undefined) {
            const saved = { ...state, trainSeconds: elapsed(), pendingMetrics: window.pending() };
            checkpoint = await savePretrainCheckpoint(paths.checkpoints, encoder, optimizer, saved, pretrain.keepCheckpoints);
            schedule.written();
            await inputs.onCheckpoint?.(step);
          }
          if (stopSignal !== undefined) throw new InterruptedError(interruptedMessage('pretraining', step, checkpoint as string), stopSignal);
          if (step === inputs.stopAfterStep) break;
        }
      } finally {
        unlisten?.();
        progress.stop();
        log.close();
      }
    }

    // 4. The end-of-run writes (also when a finished checkpoint is found: a kill may have come after it).
    const done = state.step >= pretrain.steps;
    if (done) {
      heldOut ??= await score(sets.heldOut);
      const encoderDir = paths.encoder;
      if (encoderDir !== undefined) await writeDirAtomic(encoderDir, (dir) => writeModelDir(dir, encoder));
    }
    return {
      step: state.step,
      imagesSeen: state.imagesSeen,
      resumedFrom,
      checkpoint,
      heldOut,
      trainImages: sets.train.length,
      heldOutImages: sets.heldOut.length,
      trainSeconds: elapsed(),
      blockFeatureSizes: blockChannels(pretrain.width),
    };
  } finally {
    optimizer.dispose();
    encoder.dispose();
  }
}
