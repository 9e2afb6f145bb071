// Shared helpers of the layer tests: an in-memory save/load round trip and a plain-JS largest
// singular value, independent of the code under test.
import * as tf from '@tensorflow/tfjs';

/** Saves `model` to memory and loads it back through the tfjs serialization registry. */
export async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (saved === undefined) throw new Error('save handler was not called');
  return tf.loadLayersModel(tf.io.fromMemory(saved));
}

/** Largest singular value of a row-major matrix: 1000 power iterations on WᵀW in float64. */
export function topSingularValue(rows: number[][]): number {
  const cols = rows[0].length;
  let v = Array.from({ length: cols }, (_, i) => 1 + i / 7);
  let sigma = 0;
  for (let it = 0; it < 1000; it++) {
    const wv = rows.map((r) => r.reduce((s, x, j) => s + x * v[j], 0));
    const wtwv = Array.from({ length: cols }, (_, j) => rows.reduce((s, r, i) => s + r[j] * wv[i], 0));
    const norm = Math.hypot(...wtwv);
    v = wtwv.map((x) => x / norm);
    sigma = Math.sqrt(norm);
  }
  return sigma;
}

/** A [rows, cols] row-major array of a 2-D tensor. */
export function toRows(x: tf.Tensor): number[][] {
  return x.arraySync() as number[][];
}

/** Largest absolute difference of two tensors of the same shape. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}
