/**
 * bench-32 (docs/benchmark.md): the S3GAN training iteration that the PyTorch peer times, built from s3gan's own parts so the two can be compared as a ratio.
 *   networks  SNDCGAN G (conditional BN) and D (spectral norm, projection + rotation heads):
 *             32×32×3 images, 10 classes, z 128, base width w
 *   losses    hinge; rotation CE weight 1.0 on rotated reals for D, 0.2 on rotated fakes for G;
 *             rotatedBatchFraction 4 (batch/16 images appended at four rotations)
 *   updates   Adam(2e-4, β1 0, β2 0.999) for each network, the fused one of training; EMA of G, decay 0.999 from step 0
 *   iteration discriminatorStep + generatorStep + ema.update, each step with fresh z and fake labels
 * Real images are uniform in [−1, 1] with uniform labels, fixed for the run and seeded.
 */
import * as tf from '@tensorflow/tfjs';
import { performance } from 'node:perf_hooks';
import { sndcganDiscriminator, sndcganGenerator } from '../src/nn/architectures/sndcgan.js';
import { WeightAverage } from '../src/training/gan/ema.js';
import { fusedAdam } from '../src/training/common/fused-adam.js';
import { discriminatorStep, generatorStep, type GanModels, type StepOptions } from '../src/training/gan/steps.js';
import { trainableVariables } from '../src/training/common/variables.js';
import { Rng } from '../src/util/rng.js';
import { userCheck } from '../src/util/errors.js';

/** Image side, channels, classes and latent size of bench-32. */
export const BENCH_IMAGE_SIZE = 32;
export const BENCH_CHANNELS = 3;
export const BENCH_CLASSES = 10;
export const BENCH_Z_DIM = 128;

const STEP_OPTIONS: StepOptions = { loss: 'hinge', rotatedBatchFraction: 4, rotationWeightD: 1.0, rotationWeightG: 0.2 };
const LEARNING_RATE = 2e-4;
const EMA_DECAY = 0.999;

export interface StepBenchOptions {
  /** Base width w (bench-32: 32). */
  readonly width: number;
  /** Real images per D step, a positive multiple of 16 (4 rotations × rotatedBatchFraction 4). */
  readonly batch: number;
  /** Timed iterations. */
  readonly steps: number;
  /**
   * Untimed iterations first, at least 1: they create the optimizer slots and warm the kernels, so
   * the tensor count is flat over the timed ones.
   */
  readonly warmup: number;
  /** Seed of the weights, the real batch and every z and label draw. */
  readonly seed: number;
  /** Side of the images in pixels (default BENCH_IMAGE_SIZE; smaller only to check the bench quickly). */
  readonly imageSize?: number;
}

export interface StepBenchResult {
  /** Wall time of each timed iteration, ms. */
  readonly iterationMs: readonly number[];
  /** Losses of the last iteration, to show the run trained on finite numbers. */
  readonly dLoss: number;
  readonly gLoss: number;
  /** tf.memory().numTensors after the timed iterations minus before them (0 when nothing leaks). */
  readonly tensorsLeaked: number;
}

/** The bench-32 state: networks, optimizers, EMA and the fixed real batch. */
export class BenchIteration {
  private readonly models: GanModels;
  private readonly dOptimizer = fusedAdam(LEARNING_RATE, 0, 0.999);
  private readonly gOptimizer = fusedAdam(LEARNING_RATE, 0, 0.999);
  private readonly ema: WeightAverage;
  /** Index of the smallest EMA average, read back to wait for the update to finish. */
  private readonly emaProbe: number;
  private readonly realImages: tf.Tensor4D;
  private readonly realLabels: tf.Tensor1D;
  private readonly rng: Rng;
  private step = 0;

  constructor(private readonly options: StepBenchOptions) {
    const { width, batch, seed } = options;
    const imageSize = options.imageSize ?? BENCH_IMAGE_SIZE;
    const common = { numClasses: BENCH_CLASSES, width, imageSize, channels: BENCH_CHANNELS } as const;
    this.models = {
      generator: sndcganGenerator({ ...common, zDim: BENCH_Z_DIM, seed }),
      discriminator: sndcganDiscriminator({ ...common, seed: seed + 1000, rotationHead: true, classifierHead: false }),
      conditional: true,
      rotation: true,
      coTraining: false,
    };
    const generatorVariables = trainableVariables(this.models.generator);
    this.ema = new WeightAverage(generatorVariables, { decay: EMA_DECAY, startStep: 0 });
    const sizes = generatorVariables.map((v) => v.size);
    this.emaProbe = sizes.indexOf(Math.min(...sizes));
    this.rng = new Rng(seed, 1);
    this.realImages = tf.randomUniform([batch, imageSize, imageSize, BENCH_CHANNELS], -1, 1, 'float32', seed);
    this.realLabels = this.labels();
  }

  /** [batch] int32 classes, uniform. */
  private labels(): tf.Tensor1D {
    return tf.tensor1d(Array.from({ length: this.options.batch }, () => this.rng.int(BENCH_CLASSES)), 'int32');
  }

  /** [batch, zDim] ~ N(0, I), a new seed per draw. */
  private latents(): tf.Tensor2D {
    return tf.randomNormal([this.options.batch, BENCH_Z_DIM], 0, 1, 'float32', this.rng.int(2 ** 31)) as tf.Tensor2D;
  }

  /** One iteration; returns once every update has been computed (the EMA probe is read back). */
  run(): { dLoss: number; gLoss: number } {
    // 1. D step on the real batch and fresh fakes (no gradient to G).
    const dBatch = { realImages: this.realImages, realLabels: this.realLabels, z: this.latents(), fakeLabels: this.labels() };
    const d = discriminatorStep(this.models, this.dOptimizer, dBatch, STEP_OPTIONS);
    tf.dispose([dBatch.z, dBatch.fakeLabels]);
    // 2. G step on new z and labels (no gradient to D).
    const gBatch = { z: this.latents(), fakeLabels: this.labels() };
    const g = generatorStep(this.models, this.gOptimizer, gBatch, STEP_OPTIONS);
    tf.dispose([gBatch.z, gBatch.fakeLabels]);
    // 3. EMA of G's weights, then a small read so asynchronous backends have finished the iteration.
    this.ema.update(this.step++);
    this.ema.averages[this.emaProbe].dataSync();
    return { dLoss: d.dLoss, gLoss: g.gLoss };
  }

  dispose(): void {
    this.ema.dispose();
    this.dOptimizer.dispose();
    this.gOptimizer.dispose();
    this.models.generator.dispose();
    this.models.discriminator.dispose();
    tf.dispose([this.realImages, this.realLabels]);
  }
}

/** Checks the options against bench-32's constraints; a bad flag is a UserError naming it. */
export function checkStepBenchOptions(options: StepBenchOptions): void {
  const divisor = 4 * STEP_OPTIONS.rotatedBatchFraction;
  userCheck(Number.isInteger(options.batch) && options.batch > 0 && options.batch % divisor === 0, `--batch must be a positive multiple of ${divisor}, got ${options.batch}`);
  userCheck(Number.isInteger(options.width) && options.width > 0, `--width must be a positive integer, got ${options.width}`);
  userCheck(Number.isInteger(options.steps) && options.steps > 0, `--steps must be a positive integer, got ${options.steps}`);
  userCheck(Number.isInteger(options.warmup) && options.warmup >= 1, `--warmup must be an integer >= 1, got ${options.warmup}`);
}

/** Runs `warmup` untimed then `steps` timed bench-32 iterations on the current tfjs backend. */
export function runStepBench(options: StepBenchOptions): StepBenchResult {
  checkStepBenchOptions(options);
  const bench = new BenchIteration(options);
  try {
    let last = { dLoss: NaN, gLoss: NaN };
    for (let i = 0; i < options.warmup; i++) last = bench.run();
    const before = tf.memory().numTensors;
    const iterationMs: number[] = [];
    for (let i = 0; i < options.steps; i++) {
      const start = performance.now();
      last = bench.run();
      iterationMs.push(performance.now() - start);
    }
    const tensorsLeaked = tf.memory().numTensors - before;
    return { iterationMs, ...last, tensorsLeaked };
  } finally {
    bench.dispose();
  }
}

/** Median of a non-empty list (mean of the middle two for an even count, as Python's statistics.median). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
