/**
 * Native kernels of s3gan's own ops (src/ops): training-mode batch norm and its gradient, and
 * LeakyReLU's gradient. Each declines (→ the JavaScript cpu kernel of the same name) for anything
 * but float32 inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD, batchNormGeometry, movingAverage } from '../../../ops/batch-norm-training.js';
import { LEAKY_RELU_GRAD, leakyReluAlpha } from '../../../ops/leaky-relu.js';
import { f32, isF32, size, type NativeArgs, type NativeKernel } from './kernel.js';

function batchNormTraining({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo[] | null {
  const { x, scale, offset } = inputs;
  const movingMean = inputs.movingMean as tf.TensorInfo | undefined;
  const movingVariance = inputs.movingVariance as tf.TensorInfo | undefined;
  if (!isF32(x, scale, offset, movingMean, movingVariance) || size(x.shape) === 0) return null;
  const { batch, channels } = batchNormGeometry(x.shape);
  const y = backend.output(size(x.shape));
  const mean = new Float32Array(channels), variance = new Float32Array(channels);
  backend.addon.batchNormTraining(f32(backend, x), batch, channels, f32(backend, scale), f32(backend, offset),
    attrs.epsilon as number, y, mean, variance);
  const outputs = [
    backend.makeTensorInfo(x.shape, 'float32', y),
    backend.makeTensorInfo([channels], 'float32', mean),
    backend.makeTensorInfo([channels], 'float32', variance),
  ];
  if (movingMean !== undefined && movingVariance !== undefined) {
    const momentum = attrs.momentum as number;
    outputs.push(backend.makeTensorInfo([channels], 'float32', movingAverage(f32(backend, movingMean), mean, momentum)));
    outputs.push(backend.makeTensorInfo([channels], 'float32', movingAverage(f32(backend, movingVariance), variance, momentum)));
  }
  return outputs;
}

function batchNormTrainingGrad({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo[] | null {
  const { dy, x, mean, variance, scale, dMean, dVariance } = inputs;
  if (!isF32(dy, x, mean, variance, scale, dMean, dVariance) || size(x.shape) === 0) return null;
  const { batch, channels } = batchNormGeometry(x.shape);
  const offsetShape = attrs.offsetPerSample === true ? [batch, channels] : [channels];
  const dx = backend.output(size(x.shape));
  const dScale = new Float32Array(size(scale.shape)), dOffset = new Float32Array(size(offsetShape));
  backend.addon.batchNormTrainingGrad(f32(backend, dy), f32(backend, x), batch, channels, f32(backend, mean), f32(backend, variance),
    f32(backend, scale), f32(backend, dMean), f32(backend, dVariance), attrs.epsilon as number, dx, dScale, dOffset);
  return [
    backend.makeTensorInfo(x.shape, 'float32', dx),
    backend.makeTensorInfo(scale.shape, 'float32', dScale),
    backend.makeTensorInfo(offsetShape, 'float32', dOffset),
  ];
}

function leakyReluGrad({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo | null {
  const { dy, x } = inputs;
  if (!isF32(dy, x)) return null;
  const dx = backend.output(size(x.shape));
  if (dx.length > 0) backend.addon.leakyReluGrad(f32(backend, dy), f32(backend, x), leakyReluAlpha(attrs), dx);
  return backend.makeTensorInfo(x.shape, 'float32', dx);
}

export const batchNormTrainingKernels: NativeKernel[] = [
  { name: BATCH_NORM_TRAINING, impl: batchNormTraining },
  { name: BATCH_NORM_TRAINING_GRAD, impl: batchNormTrainingGrad },
  { name: LEAKY_RELU_GRAD, impl: leakyReluGrad },
];
