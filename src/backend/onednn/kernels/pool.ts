/**
 * AvgPool and AvgPoolGrad over non-overlapping windows (stride = window, no padding, NHWC float32):
 * the ResNet discriminator's downsampling and stage 2's pooled features. Any other pooling goes to
 * the cpu kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { f32, isF32, size, type NativeArgs, type NativeKernel } from './kernel.js';

/** The window [fh, fw] and output shape when the pooling of `xShape` tiles it without overlap or padding, else null. */
function tiling(xShape: number[], attrs: tf.NamedAttrMap): { window: [number, number]; outShape: number[] } | null {
  if (xShape.length !== 4) return null;
  const info = tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    attrs.filterSize as [number, number] | number,
    attrs.strides as [number, number] | number,
    1,
    attrs.pad as 'valid' | 'same' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  const { filterHeight: fh, filterWidth: fw, strideHeight, strideWidth, padInfo } = info;
  if (strideHeight !== fh || strideWidth !== fw || padInfo.top !== 0 || padInfo.left !== 0 || padInfo.bottom !== 0 || padInfo.right !== 0) return null;
  // The addon covers floor(H / fh) × floor(W / fw) windows; 'ceil' or 'round' rounding with a numeric
  // pad can add a partial window (still with zero padding), which only the cpu kernel computes.
  if (info.outHeight !== Math.floor(xShape[1] / fh) || info.outWidth !== Math.floor(xShape[2] / fw)) return null;
  return { window: [fh, fw], outShape: info.outShape };
}

function avgPool({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo | null {
  const { x } = inputs;
  const pool = isF32(x) ? tiling(x.shape, attrs) : null;
  if (pool === null || size(x.shape) === 0) return null;
  const out = new Float32Array(size(pool.outShape));
  if (out.length > 0) backend.addon.avgPool(f32(backend, x), x.shape, pool.window, out);
  return backend.makeTensorInfo(pool.outShape, 'float32', out);
}

function avgPoolGrad({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo | null {
  const { dy, input } = inputs;
  const pool = isF32(dy) ? tiling(input.shape, attrs) : null;
  if (pool === null || size(input.shape) === 0) return null;
  const dx = new Float32Array(size(input.shape));
  backend.addon.avgPoolGrad(f32(backend, dy), input.shape, pool.window, dx);
  return backend.makeTensorInfo(input.shape, 'float32', dx);
}

export const poolKernels: NativeKernel[] = [
  { name: tf.AvgPool, impl: avgPool },
  { name: tf.AvgPoolGrad, impl: avgPoolGrad },
];
