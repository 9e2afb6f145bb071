/**
 * ProGAN's growth schedule (Karras et al. ICLR 2018, Sec. 2 and Appendix A.1; docs/ALGORITHMS.md
 * § ProGAN) as a pure function of the real images shown: phase 0 trains 4×4; each later resolution
 * r = 8 … S first fades in for gan.progan.imagesPerPhase images (α rising linearly from 0 to 1),
 * then trains stably for as many; the last stable phase lasts until gan.steps. Being a function of
 * images shown (checkpointed), the schedule resumes exactly, even in the middle of a fade-in.
 */
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../../config/schema.js';
import { growthResolutions, type Growth } from '../../nn/layers/growing-layer.js';
import { UserError } from '../../util/errors.js';

/** The schedule's answer for one generator step. */
export interface GrowthPoint extends Growth {
  /** 0 = 4×4; 2k − 1 = fade-in of resolution 4·2^k; 2k = its stable phase. */
  readonly phase: number;
  /** Real images per D update at this resolution. */
  readonly batchSize: number;
}

export class GrowthSchedule {
  private readonly resolutions: number[];

  constructor(
    imageSize: number,
    private readonly imagesPerPhase: number,
    private readonly batchSizes: ReadonlyMap<number, number>,
  ) {
    this.resolutions = growthResolutions(imageSize);
  }

  /** The last phase: the stable phase of the data size. */
  get lastPhase(): number {
    return 2 * (this.resolutions.length - 1);
  }

  /** The resolution trained in `phase`. */
  resolutionOf(phase: number): number {
    return this.resolutions[Math.ceil(Math.min(phase, this.lastPhase) / 2)];
  }

  /** Where training stands after `imagesSeen` real images. */
  at(imagesSeen: number): GrowthPoint {
    const phase = Math.min(Math.floor(imagesSeen / this.imagesPerPhase), this.lastPhase);
    const resolution = this.resolutionOf(phase);
    const fading = phase % 2 === 1;
    const alpha = fading ? (imagesSeen - phase * this.imagesPerPhase) / this.imagesPerPhase : 1;
    return { phase, resolution, alpha, batchSize: this.batchSizes.get(resolution)! };
  }
}

/**
 * The schedule of `gan.progan` for `imageSize`, checked: a UserError names the key at fault (an
 * image size that is not a power of two, a batch size for a resolution the networks do not have,
 * a batch size the minibatch-stddev groups of 4 do not divide).
 */
export function growthSchedule(gan: Config['gan'], imageSize: number): GrowthSchedule {
  if (!(Number.isInteger(Math.log2(imageSize)) && imageSize >= 8)) {
    throw new UserError(`data.imageSize must be a power of two ≥ 8 for gan.architecture=progan, got ${imageSize}`);
  }
  const resolutions = growthResolutions(imageSize);
  const sizes = new Map<number, number>(resolutions.map((r) => [r, gan.batchSize]));
  for (const [key, batchSize] of Object.entries(gan.progan.batchSizes)) {
    const resolution = Number(key);
    if (!resolutions.includes(resolution)) throw new UserError(`gan.progan.batchSizes: '${key}' is not a resolution of the growth to ${imageSize} (${resolutions.join(', ')})`);
    sizes.set(resolution, batchSize);
  }
  for (const [resolution, batchSize] of sizes) {
    if (batchSize % Math.min(4, batchSize) !== 0) {
      throw new UserError(`gan.progan.batchSizes: ${batchSize} at ${resolution}×${resolution} is not a multiple of 4, the minibatch standard-deviation group (gan.batchSize applies where none is given)`);
    }
  }
  return new GrowthSchedule(imageSize, gan.progan.imagesPerPhase, sizes);
}

/** tfjs's AdamOptimizer's private state (fused-adam.ts keeps the same). */
interface AdamSlots {
  beta1: number;
  beta2: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  iterations_: number;
  accumulatedFirstMoment: ({ variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ variable: tf.Variable } | undefined)[];
}

/**
 * Puts an Adam optimizer back to its state before the first update, in place (the same variables,
 * so tensor counts stay flat): moments zero, β^t running products at β, iteration 0. ProGAN resets
 * Adam when a phase begins (docs/ALGORITHMS.md § ProGAN).
 */
export function resetAdam(optimizer: tf.Optimizer): void {
  if (!(optimizer instanceof tf.AdamOptimizer)) throw new Error(`resetAdam needs an Adam optimizer, got ${optimizer.getClassName()}`);
  const slots = optimizer as unknown as AdamSlots;
  tf.tidy(() => {
    for (const slot of [...slots.accumulatedFirstMoment, ...slots.accumulatedSecondMoment]) slot?.variable.assign(tf.zerosLike(slot.variable));
    slots.accBeta1.assign(tf.scalar(slots.beta1));
    slots.accBeta2.assign(tf.scalar(slots.beta2));
  });
  slots.iterations_ = 0;
}

/** A method ProGAN's networks can train: D without rotation or classifier heads, a conditional G with a class embedding. */
export function checkGrowingMethod(gan: Config['gan'], method: { readonly name: string; readonly rotation: boolean; readonly coTraining: boolean; readonly conditional: boolean }): void {
  if (method.rotation || method.coTraining) {
    throw new UserError(`gan.architecture=progan has no rotation or classifier head on D: method ${method.name} needs one (use gan, or a conditional method without rotation such as cgan-full)`);
  }
  if (method.conditional && gan.classEmbeddingDim === 0) {
    throw new UserError(`gan.classEmbeddingDim must be > 0 for the conditional method ${method.name} with gan.architecture=progan: its generator reads the class through that embedding`);
  }
}
