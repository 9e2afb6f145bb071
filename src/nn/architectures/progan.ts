/**
 * ProGAN (Karras et al., "Progressive Growing of GANs for Improved Quality, Stability, and
 * Variation", ICLR 2018; docs/ALGORITHMS.md § ProGAN) as LayersModels with the same inputs and
 * outputs as every architecture:
 *   generator     [z [B, zDim], y [B, 1] int32?] → images [B, S, S, c]
 *   discriminator [x [B, S, S, c], y [B, 1] int32?] → logit [B, 1]
 * Each network keeps all its blocks from 4×4 to S and runs those its growth asks for
 * (nn/layers/growing-layer.ts); setGrowth moves both as training proceeds. The conditional variant
 * concatenates a class embedding to z (gan.classEmbeddingDim) and projects h onto a class embedding
 * in D (Miyato & Koyama 2018); D has no rotation or classifier head.
 */
import * as tf from '@tensorflow/tfjs';
import { GrowingLayer, type Growth } from '../layers/growing-layer.js';
import { EqualizedProjectionHead, ProGanDiscriminatorBody } from '../layers/progan-discriminator-body.js';
import { ProGanGeneratorBody } from '../layers/progan-generator-body.js';
import { generatorLatent, labelInput } from './common.js';
import { DISCRIMINATOR_HEAD_LAYERS } from './discriminator-record.js';
import type { DiscriminatorOptions, GeneratorOptions } from './sndcgan.js';

export type { Growth } from '../layers/growing-layer.js';

/** The generator: see the file comment. A conditional one needs classEmbeddingDim > 0 (its only way to read y). */
export function proganGenerator(options: GeneratorOptions): tf.LayersModel {
  const { zDim, numClasses, width, imageSize, channels, seed } = options;
  const embedding = options.classEmbeddingDim ?? 0;
  if (numClasses > 0 && embedding === 0) throw new Error('a conditional ProGAN generator reads its class through a class embedding: classEmbeddingDim must be > 0');
  const z = tf.input({ shape: [zDim], name: 'z' });
  const y = labelInput(numClasses);
  const latent = generatorLatent(z, y, numClasses, embedding, seed + 1000);
  const body = new ProGanGeneratorBody({ imageSize, channels, width, seed, name: 'g_progan' });
  const images = body.apply(latent) as tf.SymbolicTensor;
  return tf.model({ inputs: y === undefined ? [z] : [z, y], outputs: images, name: 'generator' });
}

/** The discriminator: see the file comment. */
export function proganDiscriminator(options: DiscriminatorOptions): tf.LayersModel {
  if (options.rotationHead || options.classifierHead) throw new Error('the ProGAN discriminator has no rotation or classifier head');
  const { numClasses, width, imageSize, channels, seed } = options;
  const x = tf.input({ shape: [imageSize, imageSize, channels], name: 'x' });
  const y = labelInput(numClasses);
  const h = new ProGanDiscriminatorBody({ imageSize, channels, width, seed, name: 'd_progan' }).apply(x) as tf.SymbolicTensor;
  const head = new EqualizedProjectionHead({ numClasses, seed: seed + 5000, name: DISCRIMINATOR_HEAD_LAYERS.logit });
  const logit = head.apply(y === undefined ? h : [h, y]) as tf.SymbolicTensor;
  return tf.model({ inputs: y === undefined ? [x] : [x, y], outputs: logit, name: 'discriminator' });
}

/** The growing layers of `model` (none: not a ProGAN network). */
function growingLayers(model: tf.LayersModel): GrowingLayer[] {
  return model.layers.filter((layer): layer is GrowingLayer => layer instanceof GrowingLayer);
}

/** Whether `model` grows (is a ProGAN network). */
export function isGrowing(model: tf.LayersModel): boolean {
  return growingLayers(model).length > 0;
}

/** Moves every growing layer of `model` to `growth`. */
export function setGrowth(model: tf.LayersModel, growth: Growth): void {
  const layers = growingLayers(model);
  if (layers.length === 0) throw new Error(`${model.name} is not a growing (ProGAN) network`);
  for (const layer of layers) layer.growth = growth;
}

/** The growth of `model` (of its first growing layer). */
export function getGrowth(model: tf.LayersModel): Growth {
  const [layer] = growingLayers(model);
  if (layer === undefined) throw new Error(`${model.name} is not a growing (ProGAN) network`);
  return layer.growth;
}
