/**
 * BatchMatMul and _FusedMatMul (tf.layers' Dense) on oneDNN's sgemm, with the bias and activation
 * of the fused form applied in the same native call. Batch dimensions must be equal or one side
 * must have a single matrix; other broadcasts, prelu and non-float32 go to the cpu kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS } from './conv.js';
import { f32, isF32, size, type NativeArgs, type NativeKernel } from './kernel.js';

/** Whether `bias` repeats cleanly over an output of `outShape` (its shape is a suffix of it). */
function biasFits(bias: tf.TensorInfo, outShape: number[]): boolean {
  const shape = bias.shape.slice(bias.shape.findIndex((d) => d !== 1));
  if (shape.length === 0 || bias.shape.every((d) => d === 1)) return true;
  return shape.length <= outShape.length && tf.util.arraysEqual(shape, outShape.slice(outShape.length - shape.length));
}

function matmul({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo | null {
  const { a, b } = inputs;
  const bias = inputs.bias as tf.TensorInfo | undefined;
  const prelu = inputs.preluActivationWeights as tf.TensorInfo | undefined;
  const { transposeA, transposeB, activation: activationName, leakyreluAlpha } = attrs as {
    transposeA: boolean; transposeB: boolean; activation?: string; leakyreluAlpha?: number;
  };
  const activation = ACTIVATIONS[activationName ?? 'linear'];
  if (!isF32(a, b, bias) || prelu !== undefined || activation === undefined) return null;
  if (a.shape.length < 2 || b.shape.length < 2) return null;
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  const batch = size(outer), batchA = size(outerA), batchB = size(outerB);
  if (!((batchA === 1 || batchA === batch) && (batchB === 1 || batchB === batch))) return null;
  const [ra, ca] = a.shape.slice(-2), [rb, cb] = b.shape.slice(-2);
  const m = transposeA ? ca : ra, k = transposeA ? ra : ca, n = transposeB ? rb : cb;
  if ((transposeB ? cb : rb) !== k) return null; // let the cpu kernel report the mismatch
  const outShape = [...outer, m, n];
  if (bias !== undefined && !biasFits(bias, outShape)) return null;
  // With k = 0 the product is all zeros, which only a fresh (zeroed) array is without writing.
  const out = k > 0 ? backend.output(size(outShape)) : new Float32Array(size(outShape));
  if (out.length > 0) {
    backend.addon.matmul(f32(backend, a), f32(backend, b), out, batchA, batchB, m, n, k, transposeA, transposeB,
      bias === undefined ? null : f32(backend, bias), bias === undefined ? 0 : size(bias.shape), activation, leakyreluAlpha ?? 0.2);
  }
  return backend.makeTensorInfo(outShape, 'float32', out);
}

export const matmulKernels: NativeKernel[] = [
  { name: tf.BatchMatMul, impl: matmul },
  { name: tf._FusedMatMul, impl: matmul },
];
