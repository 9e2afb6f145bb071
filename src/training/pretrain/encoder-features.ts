/**
 * Frozen features of a pretrained rotation encoder, as stage 2 reads them (docs/ALGORITHMS.md
 * § Linear classifier: frozen, pooled features of one block, as RotNet evaluates its features on
 * CIFAR-10, Sec. 3.1). Images go in unrotated and the encoder runs in inference mode (batch-norm
 * moving statistics), so an image's features do not depend on the batch it happens to be in.
 */
import * as tf from '@tensorflow/tfjs';
import type { ProgressFn } from '../../data/options.js';
import { gatherPixels, toNetworkInput } from '../../data/batches.js';
import type { FitMode } from '../../data/transforms.js';
import { splitSize, type ImageSplit } from '../../data/types.js';
import type { FeatureMatrix } from '../../metrics/feature-matrix.js';
import { ENCODER_OUTPUTS, splitEncoderOutputs } from '../../nn/architectures/rotation-encoder.js';
import { invariant, UserError } from '../../util/errors.js';

export interface EncoderFeatureOptions {
  /** Side in pixels of the encoder's input (data.imageSize of the pretraining run). */
  readonly imageSize: number;
  /** How smaller images reach imageSize (data.fit of the pretraining run). */
  readonly fit: FitMode;
  /** Images per forward pass (memory, not results: inference mode makes rows independent). */
  readonly batchSize: number;
  /** Blocks whose pooled features to return, in this order (default all: 0, 1, 2, 3). */
  readonly blocks?: readonly number[];
  /**
   * Average-pool each block's feature map to a poolGrid × poolGrid grid of cells (features c_k ·
   * poolGrid²) instead of one global average (1, the encoder's own pooled outputs). A coarse grid
   * keeps where in the image a feature fired, which matters for centred objects such as digits
   * (RotNet's own evaluation also reads spatially pooled conv maps, Gidaris et al. 2018, Sec. 3).
   */
  readonly poolGrid?: number;
  /** Called after each batch with (images done, images in all). */
  readonly onProgress?: ProgressFn;
}

/** The block's feature map [B, h, w, c] (the input of its global pooling layer). */
function blockMap(encoder: tf.LayersModel, block: number): tf.SymbolicTensor {
  return encoder.getLayer(`enc_block${block}_pool`).input as tf.SymbolicTensor;
}

/**
 * The pooled features of `blocks` for the images `indices` of `split`: one FeatureMatrix per block,
 * [indices.length, c_k · cells²] (cells = min(poolGrid, the map's side); row i belongs to indices[i]). The encoder is a buildRotationEncoder model
 * (or one read back from disk). Leaves no tensor behind.
 */
export async function encoderFeatures(
  encoder: tf.LayersModel,
  split: ImageSplit,
  indices: Int32Array,
  options: EncoderFeatureOptions,
): Promise<FeatureMatrix[]> {
  const blockCount = ENCODER_OUTPUTS.length - 1;
  invariant(encoder.outputs.length === ENCODER_OUTPUTS.length, `encoderFeatures needs a rotation encoder (${ENCODER_OUTPUTS.length} outputs), got ${encoder.outputs.length}`);
  invariant(Number.isInteger(options.batchSize) && options.batchSize > 0, `batchSize must be a positive integer, got ${options.batchSize}`);
  const blocks = options.blocks ?? Array.from({ length: blockCount }, (_, k) => k);
  for (const block of blocks) {
    if (!(Number.isInteger(block) && block >= 0 && block < blockCount)) {
      throw new UserError(`encoder block ${block} does not exist: the encoder has blocks 0..${blockCount - 1}`);
    }
  }
  const count = splitSize(split);
  for (const index of indices) invariant(index >= 0 && index < count, `image index ${index} is outside the split of ${count} images`);

  // Output k + 1 is block k's globally pooled features [B, c_k]; with a grid, the block maps are
  // read from a view of the same layers and pooled here.
  const grid = options.poolGrid ?? 1;
  invariant(Number.isInteger(grid) && grid >= 1, `poolGrid must be a positive integer, got ${grid}`);
  const maps = grid === 1 ? undefined : tf.model({ inputs: encoder.inputs, outputs: blocks.map((block) => blockMap(encoder, block)) });
  // Maps smaller than the grid keep one cell per position.
  const cells = maps === undefined ? [] : maps.outputs.map((output) => Math.min(grid, output.shape[1] as number));
  if (maps !== undefined) {
    for (const [b, output] of maps.outputs.entries()) {
      const side = output.shape[1] as number;
      if (side % cells[b] !== 0) throw new UserError(`pseudoLabel.poolGrid ${grid} does not divide block ${blocks[b]}'s ${side}×${side} feature map`);
    }
  }
  const widths = blocks.map((block, b) => (maps === undefined ? (encoder.outputs[block + 1].shape[1] as number) : (maps.outputs[b].shape[3] as number) * cells[b] * cells[b]));
  const data = widths.map((cols) => new Float64Array(indices.length * cols));
  for (let start = 0; start < indices.length; start += options.batchSize) {
    const batch = indices.subarray(start, Math.min(indices.length, start + options.batchSize));
    const features = tf.tidy(() => {
      const images = toNetworkInput(split, gatherPixels(split, batch), batch.length, options.imageSize, options.fit);
      if (maps !== undefined) {
        const outputs = maps.apply(images, { training: false }) as tf.Tensor4D | tf.Tensor4D[];
        return (Array.isArray(outputs) ? outputs : [outputs]).map((map, b) => {
          const cell = (map.shape[1] as number) / cells[b];
          return tf.reshape(tf.avgPool(map, cell, cell, 'valid'), [batch.length, -1]);
        });
      }
      const { blockFeatures } = splitEncoderOutputs(encoder.apply(images, { training: false }) as tf.Tensor[]);
      return blocks.map((block) => blockFeatures[block]);
    });
    try {
      for (let b = 0; b < blocks.length; b++) {
        // Awaited reads let a progress bar and other work run between batches.
        data[b].set(await features[b].data(), start * widths[b]);
      }
    } finally {
      tf.dispose(features);
    }
    options.onProgress?.(start + batch.length, indices.length);
  }
  return widths.map((cols, b) => ({ rows: indices.length, cols, data: data[b] }));
}
