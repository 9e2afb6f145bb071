/**
 * Pieces every architecture builds the same way: the N(0, 0.02²) initialiser, the label input,
 * G's normalisation (conditional batch norm when there are classes, plain batch norm otherwise) and
 * the spectrally normalised heads on D's pooled features.
 */
import * as tf from '@tensorflow/tfjs';
import { ClassifierHead, ConditionalBatchNorm, ProjectionHead, RotationHead } from '../layers/index.js';
import { seededNormal } from '../layers/init.js';
import { DISCRIMINATOR_HEAD_LAYERS } from './discriminator-record.js';

export type Symbolic = tf.SymbolicTensor;

/** N(0, 0.02²), the DCGAN/SNDCGAN initialisation. */
export function initializer(seed: number): ReturnType<typeof seededNormal> {
  return seededNormal(0.02, seed);
}

export function apply(layer: tf.layers.Layer, x: Symbolic | Symbolic[]): Symbolic {
  return layer.apply(x) as Symbolic;
}

/** y [B, 1] int32 when there are classes (a [B, 1] input keeps LayersModel.predict usable). */
export function labelInput(numClasses: number): Symbolic | undefined {
  return numClasses > 0 ? tf.input({ shape: [1], dtype: 'int32', name: 'y' }) : undefined;
}

/**
 * G's normalisation layer factory: batch norm without affine, then γ = 1 + embedγ(y), β = embedβ(y)
 * (Miyato & Koyama 2018, Sec. 4) when `y` exists; ordinary batch norm with its own affine otherwise.
 */
export function generatorNorm(y: Symbolic | undefined, numClasses: number): (x: Symbolic, name: string) => Symbolic {
  return (x, name) =>
    y === undefined
      ? apply(tf.layers.batchNormalization({ momentum: 0.99, epsilon: 1e-5, name }), x)
      : apply(new ConditionalBatchNorm({ numClasses, momentum: 0.99, epsilon: 1e-5, name }), [x, y]);
}

/**
 * G's first layer input: z alone, or z concatenated with a learned class embedding e(y) [B, dim]
 * when `classEmbeddingDim` > 0 and G is conditional. Conditional batch norm alone brings the class in
 * through per-class scales that start at the identity; the embedding lets the very first layer, and
 * so every feature map, depend on the class from the first step. N(0, 1) init matches z's scale.
 */
export function generatorLatent(z: Symbolic, y: Symbolic | undefined, numClasses: number, classEmbeddingDim: number, seed: number): Symbolic {
  if (y === undefined || classEmbeddingDim === 0) return z;
  const embedding = tf.layers.embedding({
    inputDim: numClasses,
    outputDim: classEmbeddingDim,
    embeddingsInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: seed + 1 }),
    name: 'g_class_embedding',
  });
  const embedded = apply(tf.layers.flatten({ name: 'g_class_embedding_flat' }), apply(embedding, y));
  return apply(tf.layers.concatenate({ name: 'g_latent' }), [z, embedded]);
}

/** A classifier head needs at least two classes to tell apart. */
export function checkClassifierClasses(numClasses: number): void {
  if (numClasses < 2) throw new Error('a classifier head needs numClasses >= 2');
}

/**
 * D's outputs from pooled features h [B, F]: the projection logit, then (when asked) rotation and
 * class logits, all spectrally normalised (discriminator-record.ts names them, and h). `nextSeed` is called once per head, in that order.
 */
export function spectralHeads(
  h: Symbolic,
  y: Symbolic | undefined,
  options: { numClasses: number; rotationHead: boolean; classifierHead: boolean },
  nextSeed: () => number,
): Symbolic[] {
  const projection = new ProjectionHead({ numClasses: options.numClasses, seed: nextSeed(), name: DISCRIMINATOR_HEAD_LAYERS.logit });
  const outputs = [apply(projection, y === undefined ? h : [h, y])];
  if (options.rotationHead) outputs.push(apply(new RotationHead({ seed: nextSeed(), name: DISCRIMINATOR_HEAD_LAYERS.rotationLogits }), h));
  if (options.classifierHead) {
    checkClassifierClasses(options.numClasses);
    outputs.push(apply(new ClassifierHead({ numClasses: options.numClasses, seed: nextSeed(), name: DISCRIMINATOR_HEAD_LAYERS.classLogits }), h));
  }
  return outputs;
}
