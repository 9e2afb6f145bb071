/**
 * The custom tfjs layers of s3gan. Importing this module registers every class with
 * tf.serialization, so tf.loadLayersModel can rebuild models that use them.
 */
import { ConditionalBatchNorm, SharedEmbeddingBatchNorm } from './conditional-batch-norm.js';
import { ClassifierHead, ProjectionHead, RotationHead } from './heads.js';
import { SNConv2D, SNConv2DTranspose } from './sn-conv.js';
import { SNDense } from './spectral-norm.js';
import { GlobalSumPooling2D } from './global-sum-pooling.js';
import { EqualizedProjectionHead, ProGanDiscriminatorBody } from './progan-discriminator-body.js';
import { ProGanGeneratorBody } from './progan-generator-body.js';

export * from './conditional-batch-norm.js';
export * from './fused-batch-norm.js';
export * from './heads.js';
export * from './sn-conv.js';
export * from './spectral-norm.js';
export * from './global-sum-pooling.js';
export * from './growing-layer.js';
export * from './progan-discriminator-body.js';
export * from './progan-generator-body.js';
export * from './progan-ops.js';

/** Every custom layer class, in the order they are registered. */
export const LAYER_CLASSES = [
  SNConv2D,
  SNConv2DTranspose,
  SNDense,
  ConditionalBatchNorm,
  SharedEmbeddingBatchNorm,
  ProjectionHead,
  RotationHead,
  ClassifierHead,
  GlobalSumPooling2D,
  ProGanGeneratorBody,
  ProGanDiscriminatorBody,
  EqualizedProjectionHead,
] as const;

/**
 * Registration already happened when the layer modules were imported; calling this keeps an
 * import from being elided by a bundler and returns the registered class names. Safe to repeat.
 */
export function registerLayers(): string[] {
  return LAYER_CLASSES.map((cls) => cls.className);
}
