/**
 * SpectralNormalize and its gradient (../../spectral-norm-kernel.ts) natively: the same arithmetic
 * as the cpu kernels there, in one pass per matrix product instead of JavaScript loops.
 */
import * as tf from '@tensorflow/tfjs';
import { matrixDims, packState, SPECTRAL_NORMALIZE, SPECTRAL_NORMALIZE_GRAD, unpackState } from '../../spectral-norm-kernel.js';
import { f32, isF32, size, type NativeArgs, type NativeKernel } from './kernel.js';

function spectralNormalize({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo[] | null {
  const { w, u } = inputs;
  const iterations = (attrs.iterations as number | undefined) ?? 1;
  if (!isF32(w, u) || w.shape.length < 2) return null;
  const [rows, cols] = matrixDims(w.shape);
  const normalized = new Float32Array(size(w.shape));
  const sigma = new Float32Array(1), newU = new Float32Array(cols), v = new Float32Array(rows);
  backend.addon.spectralNorm(f32(backend, w), rows, cols, f32(backend, u), iterations, normalized, sigma, newU, v);
  return [
    backend.makeTensorInfo([...w.shape], 'float32', normalized),
    backend.makeTensorInfo([], 'float32', sigma),
    backend.makeTensorInfo([1, cols], 'float32', newU),
    backend.makeTensorInfo([1 + cols + rows], 'float32', packState(sigma[0], newU, v)),
  ];
}

function spectralNormalizeGrad({ inputs, backend }: NativeArgs): tf.TensorInfo | null {
  const { dy, w, state, dSigma } = inputs;
  if (!isF32(dy, w, state, dSigma) || w.shape.length < 2) return null;
  const [rows, cols] = matrixDims(w.shape);
  const { sigma, u, v } = unpackState(f32(backend, state), rows, cols);
  const dw = new Float32Array(size(w.shape));
  backend.addon.spectralNormGrad(f32(backend, dy), f32(backend, w), rows, cols, u, v, sigma, f32(backend, dSigma)[0], dw);
  return backend.makeTensorInfo([...w.shape], 'float32', dw);
}

export const spectralNormKernels: NativeKernel[] = [
  { name: SPECTRAL_NORMALIZE, impl: spectralNormalize },
  { name: SPECTRAL_NORMALIZE_GRAD, impl: spectralNormalizeGrad },
];
