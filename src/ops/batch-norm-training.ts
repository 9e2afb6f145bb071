/**
 * Batch normalisation in training mode (Ioffe & Szegedy 2015) as two kernels instead of a chain of
 * small ops: BatchNormTraining computes the batch mean and biased variance per channel, normalises,
 * scales and shifts, and (when given the moving statistics) their exponential moving averages, in
 * one call; BatchNormTrainingGrad gives the gradient with respect to x, scale and offset in one call.
 * Scale and offset are per channel [C] (plain batch norm) or per sample [B, C] (conditional batch
 * norm). x is [B, C] or NHWC [B, H, W, C]; statistics run over every axis but the channel one.
 *
 * Importing this module registers the kernels on the cpu backend (the JavaScript below, in double,
 * as the native kernels of the onednn backend compute them) and BatchNormTraining's gradient.
 * Gradients of gradients work: under a recording tape the gradient runs as the tfjs ops of
 * ./batch-norm-backward.ts instead of the fused kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { batchNormBackward } from './batch-norm-backward.js';

/** Kernel names (no '_': tfjs's kernel registry splits keys on it). */
export const BATCH_NORM_TRAINING = 'S3ganBatchNormTraining';
export const BATCH_NORM_TRAINING_GRAD = 'S3ganBatchNormTrainingGrad';

/** [batch, channels] of x, and the positions per sample (H·W, or 1 for a [B, C] x). */
export function batchNormGeometry(xShape: readonly number[]): { batch: number; spatial: number; channels: number } {
  const batch = xShape[0];
  const channels = xShape[xShape.length - 1];
  const spatial = xShape.slice(1, -1).reduce((a, b) => a * b, 1);
  return { batch, spatial, channels };
}

/** moving·momentum + batch·(1 − momentum), in double, rounded once. */
export function movingAverage(moving: ArrayLike<number>, batchStat: ArrayLike<number>, momentum: number): Float32Array {
  const out = new Float32Array(moving.length);
  for (let c = 0; c < out.length; c++) out[c] = moving[c] * momentum + batchStat[c] * (1 - momentum);
  return out;
}

type KernelArgs = { inputs: Partial<Record<string, tf.TensorInfo>>; backend: unknown; attrs?: tf.NamedAttrMap };

/** A required input (tfjs types every input as possibly absent). */
function input(inputs: KernelArgs['inputs'], name: string): tf.TensorInfo {
  const t = inputs[name];
  if (t === undefined) throw new Error(`${name} is required`);
  return t;
}

function valuesOf(backend: MathBackendCPU, t: tf.TensorInfo): ArrayLike<number> {
  return backend.data.get(t.dataId).values as Float32Array;
}

/** Row of a [C] (rows 1) or [B, C] parameter for sample b. */
function rowOffset(paramLength: number, channels: number, b: number): number {
  return paramLength === channels ? 0 : b * channels;
}

function batchNormTrainingCpu({ inputs, backend: b, attrs }: KernelArgs): tf.TensorInfo[] {
  const backend = b as MathBackendCPU;
  const [x, scale, offset] = ['x', 'scale', 'offset'].map((name) => input(inputs, name));
  const { movingMean, movingVariance } = inputs;
  const epsilon = attrs?.epsilon as number;
  const { batch, spatial, channels } = batchNormGeometry(x.shape);
  const xv = valuesOf(backend, x), sv = valuesOf(backend, scale), ov = valuesOf(backend, offset);
  const n = xv.length;
  const count = n / channels;
  const mean = new Float64Array(channels), sq = new Float64Array(channels), rstd = new Float64Array(channels);
  for (let i = 0; i < n; i += channels) for (let c = 0; c < channels; c++) mean[c] += xv[i + c];
  for (let c = 0; c < channels; c++) mean[c] /= count;
  for (let i = 0; i < n; i += channels) {
    for (let c = 0; c < channels; c++) {
      const d = xv[i + c] - mean[c];
      sq[c] += d * d;
    }
  }
  const meanOut = new Float32Array(channels), varOut = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const variance = sq[c] / count;
    rstd[c] = 1 / Math.sqrt(variance + epsilon);
    meanOut[c] = mean[c];
    varOut[c] = variance;
  }
  const y = new Float32Array(n);
  for (let s0 = 0, i = 0; s0 < batch; s0++) {
    const so = rowOffset(sv.length, channels, s0), oo = rowOffset(ov.length, channels, s0);
    for (let s = 0; s < spatial; s++, i += channels) {
      for (let c = 0; c < channels; c++) {
        const xhat = (xv[i + c] - mean[c]) * rstd[c];
        y[i + c] = xhat * sv[so + c] + ov[oo + c];
      }
    }
  }
  const outputs = [
    backend.makeTensorInfo(x.shape, 'float32', y),
    backend.makeTensorInfo([channels], 'float32', meanOut),
    backend.makeTensorInfo([channels], 'float32', varOut),
  ];
  if (movingMean !== undefined && movingVariance !== undefined) {
    const momentum = attrs?.momentum as number;
    outputs.push(backend.makeTensorInfo([channels], 'float32', movingAverage(valuesOf(backend, movingMean), meanOut, momentum)));
    outputs.push(backend.makeTensorInfo([channels], 'float32', movingAverage(valuesOf(backend, movingVariance), varOut, momentum)));
  }
  return outputs;
}

function batchNormTrainingGradCpu({ inputs, backend: b, attrs }: KernelArgs): tf.TensorInfo[] {
  const backend = b as MathBackendCPU;
  const [dy, x, mean, variance, scale, dMean, dVariance] = ['dy', 'x', 'mean', 'variance', 'scale', 'dMean', 'dVariance'].map((name) => input(inputs, name));
  const epsilon = attrs?.epsilon as number;
  const { batch, spatial, channels } = batchNormGeometry(x.shape);
  const offsetRows = attrs?.offsetPerSample === true ? batch : 1;
  const dyv = valuesOf(backend, dy), xv = valuesOf(backend, x), mv = valuesOf(backend, mean), vv = valuesOf(backend, variance);
  const sv = valuesOf(backend, scale), dmv = valuesOf(backend, dMean), dvv = valuesOf(backend, dVariance);
  const n = xv.length;
  const count = n / channels;
  const rstd = new Float64Array(channels), sumG = new Float64Array(channels), sumGX = new Float64Array(channels);
  const dScale = new Float64Array(sv.length), dOffset = new Float64Array(offsetRows * channels);
  for (let c = 0; c < channels; c++) rstd[c] = 1 / Math.sqrt(vv[c] + epsilon);
  for (let s0 = 0, i = 0; s0 < batch; s0++) {
    const so = rowOffset(sv.length, channels, s0), oo = offsetRows === 1 ? 0 : s0 * channels;
    for (let s = 0; s < spatial; s++, i += channels) {
      for (let c = 0; c < channels; c++) {
        const xhat = (xv[i + c] - mv[c]) * rstd[c];
        const g = dyv[i + c] * sv[so + c];
        sumG[c] += g;
        sumGX[c] += g * xhat;
        dScale[so + c] += dyv[i + c] * xhat;
        dOffset[oo + c] += dyv[i + c];
      }
    }
  }
  const dx = new Float32Array(n);
  for (let s0 = 0, i = 0; s0 < batch; s0++) {
    const so = rowOffset(sv.length, channels, s0);
    for (let s = 0; s < spatial; s++, i += channels) {
      for (let c = 0; c < channels; c++) {
        const centred = xv[i + c] - mv[c];
        const xhat = centred * rstd[c];
        const g = dyv[i + c] * sv[so + c];
        dx[i + c] = rstd[c] * (g - sumG[c] / count - xhat * sumGX[c] / count) + dmv[c] / count + dvv[c] * 2 * centred / count;
      }
    }
  }
  return [
    backend.makeTensorInfo(x.shape, 'float32', dx),
    backend.makeTensorInfo(scale.shape, 'float32', Float32Array.from(dScale)),
    backend.makeTensorInfo(attrs?.offsetPerSample === true ? [batch, channels] : [channels], 'float32', Float32Array.from(dOffset)),
  ];
}

/** What batchNormTraining returns. */
export interface BatchNormTrainingResult {
  /** Normalised, scaled and shifted x, x's shape. */
  y: tf.Tensor;
  /** Batch mean and biased variance, [C]. */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  /** The moving statistics after this batch, [C], when they were given. */
  movingMean?: tf.Tensor1D;
  movingVariance?: tf.Tensor1D;
}

export interface BatchNormTrainingOptions {
  /** [C] or [B, C]; absent = 1. */
  scale?: tf.Tensor;
  /** [C] or [B, C]; absent = 0. */
  offset?: tf.Tensor;
  /** Moving statistics [C] to update (both or neither); the new values come back, not written. */
  movingMean?: tf.Tensor;
  movingVariance?: tf.Tensor;
  /** Decay of the moving statistics, in [0, 1). */
  momentum?: number;
  /** Added to the variance before the square root. */
  epsilon: number;
}

/**
 * y = (x − mean) / sqrt(variance + ε) · scale + offset with the batch's statistics, x [B, C] or
 * [B, H, W, C]. No gradient flows through the moving statistics (they are state, not a function
 * being trained).
 */
export function batchNormTraining(x: tf.Tensor, options: BatchNormTrainingOptions): BatchNormTrainingResult {
  const channels = x.shape[x.rank - 1];
  const checkParam = (p: tf.Tensor | undefined, what: string) => {
    const ok = p === undefined || (p.rank === 1 && p.shape[0] === channels) || (p.rank === 2 && p.shape[0] === x.shape[0] && p.shape[1] === channels);
    if (!ok) throw new Error(`batchNormTraining: ${what} must be [${channels}] or [${x.shape[0]}, ${channels}], got [${p?.shape}]`);
  };
  if (x.rank !== 2 && x.rank !== 4) throw new Error(`batchNormTraining: x must be [B, C] or [B, H, W, C], got [${x.shape}]`);
  checkParam(options.scale, 'scale');
  checkParam(options.offset, 'offset');
  const inputs: tf.NamedTensorMap = {
    x,
    // Absent parameters are constants made without a kernel call.
    scale: options.scale ?? tf.ones([channels]),
    offset: options.offset ?? tf.zeros([channels]),
  };
  const moving = options.movingMean !== undefined && options.movingVariance !== undefined;
  if (moving) Object.assign(inputs, { movingMean: options.movingMean, movingVariance: options.movingVariance });
  const attrs = { epsilon: options.epsilon, momentum: options.momentum ?? 0.99 };
  const out = tf.engine().runKernel(BATCH_NORM_TRAINING, inputs, attrs) as tf.Tensor[];
  if (options.scale === undefined) inputs.scale.dispose();
  if (options.offset === undefined) inputs.offset.dispose();
  const [y, mean, variance, movingMean, movingVariance] = out as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D?, tf.Tensor1D?];
  return moving ? { y, mean, variance, movingMean, movingVariance } : { y, mean, variance };
}

/** The gradient kernel as an op: [dx, dScale (scale's shape), dOffset ([C] or [B, C])]. */
export function batchNormTrainingGrad(
  inputs: { dy: tf.Tensor; x: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor; scale: tf.Tensor; dMean: tf.Tensor; dVariance: tf.Tensor },
  attrs: { epsilon: number; offsetPerSample: boolean },
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, inputs, attrs) as [tf.Tensor, tf.Tensor, tf.Tensor];
}

tf.registerKernel({ kernelName: BATCH_NORM_TRAINING, backendName: 'cpu', kernelFunc: batchNormTrainingCpu as tf.KernelFunc });
tf.registerKernel({ kernelName: BATCH_NORM_TRAINING_GRAD, backendName: 'cpu', kernelFunc: batchNormTrainingGradCpu as tf.KernelFunc });

tf.registerGradient({
  kernelName: BATCH_NORM_TRAINING,
  inputsToSave: ['x', 'scale', 'offset'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dMean, dVariance] = dys as tf.Tensor[];
    const [x, scale, offset, mean, variance] = saved;
    const epsilon = attrs.epsilon as number;
    const offsetPerSample = offset.rank === 2;
    // One kernel call gives all three and each closure hands out its part. While a tape records
    // (this gradient is itself being differentiated: a gradient penalty), the same formula runs as
    // tfjs ops, which tfjs differentiates again, with the statistics recomputed from x: the saved
    // outputs' tape entries precede this kernel's, so gradients reaching them would be lost.
    const [dx, dScale, dOffset] = tf.engine().isTapeOn()
      ? batchNormBackward({ dy, x, ...tf.moments(x, x.shape.slice(0, -1).map((_, i) => i)), scale, dMean, dVariance }, epsilon, offsetPerSample)
      : batchNormTrainingGrad({ dy, x, mean, variance, scale, dMean, dVariance }, { epsilon, offsetPerSample });
    return {
      x: () => dx,
      scale: () => dScale,
      offset: () => dOffset,
      movingMean: () => tf.zerosLike(mean),
      movingVariance: () => tf.zerosLike(variance),
    };
  },
});
