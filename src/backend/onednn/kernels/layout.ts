/**
 * Data movement and normalisation: Transpose, Reverse, Tile and GatherV2 copy raw elements
 * (float32, int32, bool); UnsortedSegmentSum (the gradient of an embedding gather) adds rows;
 * FusedBatchNorm normalises with given statistics in one pass.
 */
import * as tf from '@tensorflow/tfjs';
import { elementBytes, f32, isF32, size, typed, type NativeArgs, type NativeBackend, type NativeKernel } from './kernel.js';

/** A zeroed array of the same kind as the cpu backend stores `dtype` in. */
function allocate(dtype: tf.DataType, n: number): Float32Array | Int32Array | Uint8Array {
  if (dtype === 'int32') return new Int32Array(n);
  return dtype === 'bool' ? new Uint8Array(n) : new Float32Array(n);
}

function transpose({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo | null {
  const { x } = inputs;
  const bytes = elementBytes(x.dtype);
  if (bytes === null || x.shape.length === 0) return null;
  const perm = attrs.perm as number[];
  const outShape = perm.map((axis) => x.shape[axis]);
  const out = allocate(x.dtype, size(x.shape));
  if (out.length > 0) backend.addon.transpose(typed(backend, x), x.shape, perm, out, bytes);
  return backend.makeTensorInfo(outShape, x.dtype, out);
}

function tile({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo | null {
  const { x } = inputs;
  const reps = attrs.reps as number[];
  const bytes = elementBytes(x.dtype);
  if (bytes === null || x.shape.length === 0 || reps.length !== x.shape.length) return null;
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const out = allocate(x.dtype, size(outShape));
  if (out.length > 0) backend.addon.tile(typed(backend, x), x.shape, reps, out, bytes);
  return backend.makeTensorInfo(outShape, x.dtype, out);
}

function reverse({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo | null {
  const { x } = inputs;
  const bytes = elementBytes(x.dtype);
  if (bytes === null || x.shape.length === 0) return null;
  const axes = tf.util.parseAxisParam(attrs.dims as number | number[], x.shape);
  const out = allocate(x.dtype, size(x.shape));
  if (out.length > 0) backend.addon.reverse(typed(backend, x), x.shape, axes, out, bytes);
  return backend.makeTensorInfo(x.shape, x.dtype, out);
}

/** x[begin : begin + size] on every axis, as a new tensor (null: a dtype copied as bytes cannot be). */
function sliceOf(backend: NativeBackend, x: tf.TensorInfo, begin: number[], sliceSize: number[]): tf.TensorInfo | null {
  const bytes = elementBytes(x.dtype);
  if (bytes === null || x.shape.length === 0) return null;
  const out = allocate(x.dtype, size(sliceSize));
  if (out.length > 0) backend.addon.slice(typed(backend, x), x.shape, begin, sliceSize, out, bytes);
  return backend.makeTensorInfo(sliceSize, x.dtype, out);
}

function slice({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo | null {
  const { x } = inputs;
  const [begin, sliceSize] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin as number | number[], attrs.size as number | number[]);
  tf.slice_util.assertParamsValid(x as tf.Tensor, begin, sliceSize);
  return sliceOf(backend, x, begin, sliceSize);
}

/** The gradient of Concat: consecutive parts of x along one axis. */
function splitV({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo[] | null {
  const { x } = inputs;
  if (elementBytes(x.dtype) === null || x.shape.length === 0) return null;
  const [axis] = tf.util.parseAxisParam(attrs.axis as number, x.shape);
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits as number | number[], axis);
  const begin = x.shape.map(() => 0);
  const parts: tf.TensorInfo[] = [];
  for (const part of sizes) {
    const sliceSize = [...x.shape];
    sliceSize[axis] = part;
    parts.push(sliceOf(backend, x, begin, sliceSize) as tf.TensorInfo);
    begin[axis] += part;
  }
  return parts;
}

function gather({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo | null {
  const { x, indices } = inputs;
  const bytes = elementBytes(x.dtype);
  if (bytes === null || indices.dtype !== 'int32' || ((attrs.batchDims as number | undefined) ?? 0) !== 0) return null;
  const [axis] = tf.util.parseAxisParam(attrs.axis as number, x.shape);
  const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  const out = allocate(x.dtype, size(outShape));
  if (out.length === 0) return size(indices.shape) === 0 ? backend.makeTensorInfo(outShape, x.dtype, out) : null;
  const outer = size(x.shape.slice(0, axis)), inner = size(x.shape.slice(axis + 1));
  const ok = backend.addon.gather(typed(backend, x), outer, x.shape[axis], inner, typed(backend, indices) as Int32Array, out, bytes);
  // An index outside the axis: the cpu kernel reports it.
  return ok ? backend.makeTensorInfo(outShape, x.dtype, out) : null;
}

function unsortedSegmentSum({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo | null {
  const { x, segmentIds } = inputs;
  const numSegments = attrs.numSegments as number;
  const idRank = segmentIds.shape.length;
  if (!isF32(x) || segmentIds.dtype !== 'int32' || idRank === 0 || idRank > x.shape.length) return null;
  if (!tf.util.arraysEqual(segmentIds.shape, x.shape.slice(0, idRank))) return null;
  const outShape = [numSegments, ...x.shape.slice(idRank)];
  const out = new Float32Array(size(outShape));
  const rows = size(segmentIds.shape);
  if (out.length > 0 && rows > 0) {
    backend.addon.unsortedSegmentSum(f32(backend, x), rows, size(x.shape.slice(idRank)), typed(backend, segmentIds) as Int32Array, numSegments, out);
  }
  return backend.makeTensorInfo(outShape, 'float32', out);
}

function batchNorm({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo | null {
  const { x, mean, variance } = inputs;
  const offset = inputs.offset as tf.TensorInfo | undefined;
  const scale = inputs.scale as tf.TensorInfo | undefined;
  if (!isF32(x, mean, variance, offset, scale)) return null;
  const params = [mean, variance, offset, scale].filter((t) => t !== undefined);
  if (params.some((t) => size(t.shape) === 0) || size(x.shape) === 0) return null;
  const out = backend.output(size(x.shape));
  const epsilon = (attrs.varianceEpsilon as number | undefined) ?? 0.001;
  backend.addon.batchNorm(f32(backend, x), f32(backend, mean), f32(backend, variance),
    offset === undefined ? null : f32(backend, offset), scale === undefined ? null : f32(backend, scale), epsilon, out);
  return backend.makeTensorInfo(x.shape, 'float32', out);
}

export const layoutKernels: NativeKernel[] = [
  { name: tf.Transpose, impl: transpose },
  { name: tf.Tile, impl: tile },
  { name: tf.Reverse, impl: reverse },
  { name: tf.Slice, impl: slice },
  { name: tf.SplitV, impl: splitV },
  { name: tf.GatherV2, impl: gather },
  { name: tf.UnsortedSegmentSum, impl: unsortedSegmentSum },
  { name: tf.FusedBatchNorm, impl: batchNorm },
];
