/**
 * Loads the onednn addon (native/, built by `npm run build:native` or at install when
 * libdnnl-dev is present) and describes its functions. Every function borrows its TypedArray
 * arguments only during the synchronous call; outputs are allocated by the caller. An array shorter
 * than the function's shapes and sizes say (or of another element size) is refused with a
 * RangeError (TypeError) before anything is written.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../util/package-root.js';

type F32 = Float32Array;
type Shape = readonly number[];

/** The addon's functions; integer codes are listed beside the kernels that use them. */
export interface OnednnAddon {
  setThreads(threads: number): number;
  getThreads(): number;
  dnnlVersion(): string;
  conv2d(kind: number, x: F32, xShape: Shape, w: F32, wShape: Shape, y: F32, yShape: Shape, geometry: Shape,
    bias: F32 | null, activation: number, alpha: number): boolean;
  convPlans(): number;
  matmul(a: F32, b: F32, c: F32, batchA: number, batchB: number, m: number, n: number, k: number,
    transposeA: boolean, transposeB: boolean, bias: F32 | null, biasLength: number, activation: number, alpha: number): void;
  binary(op: number, a: F32, aShape: Shape, b: F32, bShape: Shape, out: F32 | Uint8Array, outShape: Shape): void;
  select(condition: Uint8Array, rows: number, t: Float32Array | Int32Array, e: Float32Array | Int32Array,
    out: Float32Array | Int32Array): void;
  unary(op: number, x: F32, y: F32, alpha: number): void;
  reduce(op: number, x: F32, xShape: Shape, axes: Shape, out: F32): void;
  softmax(x: F32, rows: number, cols: number, out: F32): void;
  transpose(x: ArrayBufferView, xShape: Shape, perm: Shape, out: ArrayBufferView, elementBytes: number): void;
  reverse(x: ArrayBufferView, xShape: Shape, axes: Shape, out: ArrayBufferView, elementBytes: number): void;
  gather(x: ArrayBufferView, outer: number, n: number, inner: number, indices: Int32Array, out: ArrayBufferView, elementBytes: number): boolean;
  unsortedSegmentSum(x: F32, rows: number, inner: number, segmentIds: Int32Array, numSegments: number, out: F32): void;
  tile(x: ArrayBufferView, xShape: Shape, reps: Shape, out: ArrayBufferView, elementBytes: number): void;
  avgPool(x: F32, xShape: Shape, window: Shape, out: F32): void;
  avgPoolGrad(dy: F32, xShape: Shape, window: Shape, dx: F32): void;
  slice(x: ArrayBufferView, xShape: Shape, begin: Shape, size: Shape, out: ArrayBufferView, elementBytes: number): void;
  batchNorm(x: F32, mean: F32, variance: F32, offset: F32 | null, scale: F32 | null, epsilon: number, out: F32): void;
  spectralNorm(w: F32, rows: number, cols: number, u: F32, iterations: number, normalized: F32, sigma: F32, newU: F32, v: F32): void;
  spectralNormGrad(dy: F32, w: F32, rows: number, cols: number, u: F32, v: F32, sigma: number, dSigma: number, dw: F32): void;
  /** Scalars rounded to float32 by the caller (src/backend/fused-updates.ts adamScalars). */
  adamUpdate(param: F32, gradient: F32, m: F32, v: F32, paramOut: F32, mOut: F32, vOut: F32, beta1: number, oneMinusBeta1: number,
    beta2: number, oneMinusBeta2: number, oneMinusAccBeta1: number, oneMinusAccBeta2: number, epsilon: number, negativeLearningRate: number): void;
  emaUpdate(average: F32, source: F32, out: F32, decay: number, oneMinusDecay: number): void;
  batchNormTraining(x: F32, batch: number, channels: number, scale: F32 | null, offset: F32 | null, epsilon: number,
    y: F32, mean: F32, variance: F32): void;
  batchNormTrainingGrad(dy: F32, x: F32, batch: number, channels: number, mean: F32, variance: F32, scale: F32 | null,
    dMean: F32, dVariance: F32, epsilon: number, dx: F32, dScale: F32, dOffset: F32): void;
  leakyReluGrad(dy: F32, x: F32, alpha: number, dx: F32): void;
}

/** Where `npm run build:native` puts the addon, from dist/src/backend/onednn/. */
export const ADDON_PATH = fileURLToPath(new URL('../../../../native/build/Release/s3gan_onednn.node', import.meta.url));

/** `path` as one shell word: as it is when it is safe, else single-quoted. */
function shellWord(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}

/**
 * The commands that build the addon, to be typed as they are: oneDNN's headers, then the build
 * script in this s3gan's own directory (`--prefix`), wherever it is installed. The script fails
 * loudly (`--required`) where the install step only said why it skipped the build.
 */
export const BUILD_COMMANDS: readonly string[] = [
  'apt-get install -y libdnnl-dev',
  `npm run build:native --prefix ${shellWord(packageRoot())}`,
];

/** What to run to get the backend, for every "not available" message. */
export const BUILD_HINT = BUILD_COMMANDS.join(', then ');

/** Loads the addon, or throws an Error that says what is missing, where, and the commands that fix it. */
export function loadAddon(path: string = ADDON_PATH): OnednnAddon {
  if (!existsSync(path)) {
    // npm hides what an install script prints, so this is where a skipped build is first reported.
    throw new Error(
      `the onednn addon is not built (${path} does not exist: npm install builds it only where libdnnl-dev ` +
        `is installed, and not at all with --ignore-scripts); to build it: ${BUILD_HINT}`,
    );
  }
  // OpenMP's workers busy-wait between parallel regions by default; where cores are few or shared,
  // a spinning worker takes the core the JavaScript thread needs (measured: 8 ms lost per call on
  // 2 shared vCPUs). Sleeping workers cost microseconds per wake-up. libgomp reads this once, when
  // the addon loads it; a value the user set is kept.
  process.env.OMP_WAIT_POLICY ??= 'passive';
  try {
    return createRequire(import.meta.url)(path) as OnednnAddon;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`the onednn addon at ${path} could not be loaded (${reason}); to rebuild it: ${BUILD_HINT}`);
  }
}
