/**
 * The fused parameter updates of src/backend/fused-updates.ts as native loops: one pass over memory
 * per variable, bit-identical to the JavaScript kernels they replace (native/src/optim.cc).
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, adamScalars, EMA_UPDATE, type AdamUpdateAttrs } from '../../fused-updates.js';
import { f32, isF32, size, type NativeArgs, type NativeKernel } from './kernel.js';

function adamUpdate({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo[] | null {
  const { param, gradient, m, v, oneMinusAccBeta1, oneMinusAccBeta2 } = inputs;
  if (!isF32(param, gradient, m, v, oneMinusAccBeta1, oneMinusAccBeta2)) return null;
  const shapes = [gradient, m, v].every((t) => tf.util.arraysEqual(t.shape, param.shape));
  if (!shapes || size(oneMinusAccBeta1.shape) !== 1 || size(oneMinusAccBeta2.shape) !== 1) return null;
  const s = adamScalars(attrs as unknown as AdamUpdateAttrs, f32(backend, oneMinusAccBeta1)[0], f32(backend, oneMinusAccBeta2)[0]);
  const n = size(param.shape);
  // Pooled outputs: the loop writes every element (output-pool.ts).
  const outs = [backend.output(n), backend.output(n), backend.output(n)];
  if (n > 0) {
    backend.addon.adamUpdate(f32(backend, param), f32(backend, gradient), f32(backend, m), f32(backend, v), outs[0], outs[1], outs[2],
      s.beta1, s.oneMinusBeta1, s.beta2, s.oneMinusBeta2, s.oneMinusAccBeta1, s.oneMinusAccBeta2, s.epsilon, s.negativeLearningRate);
  }
  return outs.map((out) => backend.makeTensorInfo(param.shape, 'float32', out));
}

function emaUpdate({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo | null {
  const { average, source } = inputs;
  if (!isF32(average, source) || !tf.util.arraysEqual(average.shape, source.shape)) return null;
  const decay = attrs.decay as number;
  const out = backend.output(size(average.shape));
  if (out.length > 0) backend.addon.emaUpdate(f32(backend, average), f32(backend, source), out, Math.fround(decay), Math.fround(1 - decay));
  return backend.makeTensorInfo(average.shape, 'float32', out);
}

export const optimKernels: NativeKernel[] = [
  { name: ADAM_UPDATE, impl: adamUpdate },
  { name: EMA_UPDATE, impl: emaUpdate },
];
