/**
 * The fixed evaluation networks shipped with s3gan (data/networks/<dataset>/): domain classifiers of
 * MNIST and Fashion-MNIST trained once by data/networks/train.ts. Evaluation uses them by default for
 * those datasets, so no machine trains anything before its first FID and every machine, seed and
 * backend measures in the same feature space (as InceptionV3's fixed weights make FIDs comparable
 * across papers). Every result records the weights' SHA-256.
 *
 * A shipped network reads 32×32 images (the 28×28 digits padded with background, as the presets
 * train). Images of any other geometry are first brought back to the dataset's native 28×28 (the
 * padding cropped off, or a bilinear resize) and padded again, so runs at 28, 32 or 64 pixels are
 * scored by the same network.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readModelDir, WEIGHTS_BIN } from '../artifacts/model-files.js';
import { fitToSize } from '../data/transforms.js';
import { errorMessage, UserError } from '../util/errors.js';
import { packageRoot } from '../util/package-root.js';
import type { DomainClassifier } from './domain-classifier-cache.js';
import type { InputGeometry } from './images.js';

/** Datasets with a shipped network. */
export const SHIPPED_NETWORK_DATASETS = ['mnist', 'fashion-mnist'] as const;
export type ShippedNetworkDataset = (typeof SHIPPED_NETWORK_DATASETS)[number];
/** The input geometry of every shipped network. */
export const SHIPPED_GEOMETRY: InputGeometry = Object.freeze({ imageSize: 32, fit: 'pad' as const });
/** Side of the bundled datasets' own images. */
const NATIVE_SIZE = 28;
const INFO_FILE = 'network.json';

/** network.json: how the weights were made and what they score. */
export interface ShippedNetworkInfo {
  readonly dataset: ShippedNetworkDataset;
  readonly geometry: InputGeometry;
  readonly numClasses: number;
  readonly width: number;
  readonly epochs: number;
  readonly seed: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly trainImages: number;
  /** Accuracy on the dataset's whole test split. */
  readonly testAccuracy: number;
  readonly testImages: number;
  readonly trainSeconds: number;
  readonly trainBackend: string;
  /** SHA-256 (hex) of weights.bin. */
  readonly weightsSha256: string;
  /** The command that made it. */
  readonly command: string;
}

/** Whether `dataset` (a data.name) has a shipped network. */
export function hasShippedNetwork(dataset: string): dataset is ShippedNetworkDataset {
  return (SHIPPED_NETWORK_DATASETS as readonly string[]).includes(dataset);
}

/** data/networks/<dataset> in the installed package. */
export function shippedNetworkDir(dataset: ShippedNetworkDataset): string {
  return path.join(packageRoot(), 'data', 'networks', dataset);
}

/** SHA-256 (hex) of the weights.bin in `dir`. */
export async function weightsSha256(dir: string): Promise<string> {
  return createHash('sha256').update(await readFile(path.join(dir, WEIGHTS_BIN))).digest('hex');
}

/**
 * The shipped network of `dataset` as a domain classifier. Its weights are checked against the
 * SHA-256 in network.json: a modified file is an error, not a silently different feature space.
 */
export async function loadShippedNetwork(dataset: ShippedNetworkDataset): Promise<DomainClassifier> {
  const dir = shippedNetworkDir(dataset);
  const infoPath = path.join(dir, INFO_FILE);
  let info: ShippedNetworkInfo;
  try {
    info = JSON.parse(await readFile(infoPath, 'utf8')) as ShippedNetworkInfo;
  } catch (error) {
    throw new UserError(`the shipped evaluation network of ${dataset} is missing or unreadable (${infoPath}: ${errorMessage(error)}); reinstall s3gan, or set eval.network to 'trained'`);
  }
  const sha256 = await weightsSha256(dir);
  if (sha256 !== info.weightsSha256) {
    throw new UserError(`${path.join(dir, WEIGHTS_BIN)} does not match the SHA-256 in ${infoPath}; reinstall s3gan, or set eval.network to 'trained'`);
  }
  const model = await readModelDir(dir);
  return {
    model,
    cached: true,
    dir,
    info: {
      id: `shipped-${dataset}-${sha256.slice(0, 16)}`,
      dataset,
      width: info.width,
      epochs: info.epochs,
      seed: info.seed,
      imageSize: info.geometry.imageSize,
      testAccuracy: info.testAccuracy,
      heldOutTrainAccuracy: null,
      accuracySplit: 'test',
      accuracyImages: info.testImages,
      trainImages: info.trainImages,
      trainSeconds: info.trainSeconds,
      trainBackend: info.trainBackend,
      weightsSha256: sha256,
    },
  };
}

/**
 * Images [n, s, s, c] in [−1, 1] at `from` → the shipped networks' input [n, 32, 32, c]: identity at
 * the shipped geometry; otherwise back to 28×28 (centre crop of padded images, else bilinear resize)
 * and padded to 32 with background.
 */
export function toShippedGeometry(images: tf.Tensor4D, from: InputGeometry): tf.Tensor4D {
  const size = images.shape[1];
  if (size === SHIPPED_GEOMETRY.imageSize && from.fit === SHIPPED_GEOMETRY.fit) return images.clone();
  return tf.tidy(() => {
    let native: tf.Tensor4D;
    if (size === NATIVE_SIZE) native = images;
    else if (from.fit === 'pad' && size > NATIVE_SIZE) {
      const offset = Math.floor((size - NATIVE_SIZE) / 2);
      native = tf.slice(images, [0, offset, offset, 0], [-1, NATIVE_SIZE, NATIVE_SIZE, -1]);
    } else native = tf.image.resizeBilinear(images, [NATIVE_SIZE, NATIVE_SIZE]);
    return fitToSize(native, SHIPPED_GEOMETRY.imageSize, SHIPPED_GEOMETRY.fit);
  });
}
