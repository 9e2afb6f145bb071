/**
 * What the GAN loop does for a growing architecture (docs/ALGORITHMS.md § ProGAN), kept out of the
 * loop: the schedule of the config, the growth of each step on G, D and G-EMA, the Adam reset at
 * each new phase, and the real batches served at the current resolution.
 */
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../../config/schema.js';
import type { Batch } from '../../data/batches.js';
import { realsAtGrowth } from '../../data/progressive-reals.js';
import type { MethodSpec } from '../../methods/methods.js';
import { setGrowth } from '../../nn/architectures/progan.js';
import { checkGrowingMethod, growthSchedule, resetAdam, type GrowthPoint, type GrowthSchedule } from './growth-schedule.js';
import type { GanTraining } from './setup.js';

/** The growth schedule of a growing architecture (checked, UserErrors naming the keys); undefined for the others. */
export function growthFor(gan: Config['gan'], method: MethodSpec, imageSize: number): GrowthSchedule | undefined {
  if (gan.architecture !== 'progan') return undefined;
  checkGrowingMethod(gan, method);
  return growthSchedule(gan, imageSize);
}

/**
 * Moves G, D and G-EMA to `point`; when it begins a phase other than `previousPhase` (the phase of
 * the step before; undefined at a fresh start), both Adam optimizers start afresh (docs/ALGORITHMS.md § ProGAN).
 */
export function applyGrowth(training: GanTraining, point: GrowthPoint, previousPhase: number | undefined): void {
  setGrowth(training.models.generator, point);
  setGrowth(training.emaGenerator, point);
  if (training.models.discriminator !== undefined) setGrowth(training.models.discriminator, point);
  if (previousPhase !== undefined && previousPhase !== point.phase) {
    resetAdam(training.gOptimizer);
    if (training.dOptimizer !== undefined) resetAdam(training.dOptimizer);
  }
}

/** `batch` with its images as seen at `point` (the data-size images disposed); unchanged without growth. */
export function atGrowth(batch: Batch, point: GrowthPoint | undefined): Batch {
  if (point === undefined) return batch;
  const images = realsAtGrowth(batch.images, point);
  if (images !== batch.images) tf.dispose(batch.images);
  return { ...batch, images };
}
