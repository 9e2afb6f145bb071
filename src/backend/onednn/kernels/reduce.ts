/**
 * Reductions over any axes (Sum, Mean, Max, Min) read in memory order without a transpose, and
 * Softmax over the last axis. Float32 only: integer sums change dtype and stay on the cpu kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { f32, isF32, size, type NativeArgs, type NativeKernel } from './kernel.js';

const REDUCE = { sum: 0, mean: 1, max: 2, min: 3 } as const;

function reduction(op: number, axisAttr: 'axis' | 'reductionIndices') {
  return ({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo | null => {
    const { x } = inputs;
    if (!isF32(x)) return null;
    const axes = tf.util.parseAxisParam(attrs[axisAttr] as number | number[], x.shape);
    const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    const shape = attrs.keepDims === true ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    // An empty reduction of Max/Min has no value to give; let the cpu kernel decide.
    if (size(x.shape) === 0 && op >= REDUCE.max) return null;
    const out = new Float32Array(size(outShape));
    if (size(x.shape) > 0) backend.addon.reduce(op, f32(backend, x), x.shape, axes, out);
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

function softmax({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo | null {
  const { logits } = inputs;
  const rank = logits.shape.length;
  const dim = attrs.dim as number;
  if (!isF32(logits) || rank === 0 || (dim !== -1 && dim !== rank - 1)) return null;
  const cols = logits.shape[rank - 1];
  const out = new Float32Array(size(logits.shape));
  if (out.length > 0) backend.addon.softmax(f32(backend, logits), out.length / cols, cols, out);
  return backend.makeTensorInfo(logits.shape, 'float32', out);
}

export const reduceKernels: NativeKernel[] = [
  { name: tf.Sum, impl: reduction(REDUCE.sum, 'axis') },
  { name: tf.Mean, impl: reduction(REDUCE.mean, 'axis') },
  { name: tf.Max, impl: reduction(REDUCE.max, 'reductionIndices') },
  { name: tf.Min, impl: reduction(REDUCE.min, 'axis') },
  { name: tf.Softmax, impl: softmax },
];
