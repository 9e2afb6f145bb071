/**
 * Features as the metrics and classifiers read them: a dense row-major float64 matrix, one row per
 * image. Float64 because FID's covariance and matrix square root lose digits in float32.
 */
export interface FeatureMatrix {
  /** Images (rows). */
  readonly rows: number;
  /** Feature dimension (columns). */
  readonly cols: number;
  /** rows · cols values, row i at [i·cols, (i+1)·cols). */
  readonly data: Float64Array;
}

/** Wraps `data` as a [rows, cols] matrix, checking the length. */
export function featureMatrix(data: Float64Array | Float32Array | readonly number[], rows: number, cols: number): FeatureMatrix {
  if (!(Number.isInteger(rows) && rows >= 0 && Number.isInteger(cols) && cols >= 1)) {
    throw new Error(`featureMatrix: rows must be an integer >= 0 and cols >= 1, got [${rows}, ${cols}]`);
  }
  if (data.length !== rows * cols) throw new Error(`featureMatrix: ${data.length} values for [${rows}, ${cols}]`);
  return { rows, cols, data: data instanceof Float64Array ? data : Float64Array.from(data) };
}

/** Row i as a view (no copy). */
export function row(matrix: FeatureMatrix, i: number): Float64Array {
  return matrix.data.subarray(i * matrix.cols, (i + 1) * matrix.cols);
}

/** The rows at `indices`, copied, in that order. */
export function selectRows(matrix: FeatureMatrix, indices: ArrayLike<number>): FeatureMatrix {
  const out = new Float64Array(indices.length * matrix.cols);
  for (let k = 0; k < indices.length; k++) out.set(row(matrix, indices[k]), k * matrix.cols);
  return { rows: indices.length, cols: matrix.cols, data: out };
}
