/**
 * Spectral normalisation as one kernel call forward and one backward (Miyato et al. 2018,
 * "Spectral Normalization for GANs", Algorithm 1), instead of a chain of some twenty small ops per
 * layer and call. Registered for the cpu backend here (plain JavaScript); the onednn backend
 * replaces it by a native kernel with the same arithmetic (kernels/spectral-norm.ts).
 *
 * SpectralNormalize: inputs w [..., cols] (viewed as a matrix [rows, cols]) and u [1, cols];
 * attribute iterations ≥ 0. Outputs, in order:
 *   normalized  w / σ, the shape of w
 *   sigma       σ = v W uᵀ, shape []
 *   newU        u after `iterations` steps of u ← normalise(normalise(u Wᵀ) W), shape [1, cols]
 *   state       [σ, newU, v] packed, shape [1 + cols + rows], v = normalise(newU Wᵀ): what the
 *               gradient needs, in one tensor so the tape keeps two (w and state) per call
 * SpectralNormalizeGrad (inputs dy, w, state, dSigma): the gradient of w / σ (and of σ) with respect to w, with u and v constants
 * (Miyato et al. 2018, Sec. 2.1): dσ/dW = vᵀu, so
 *   dW = dy / σ + (dσ − Σ(dy ⊙ W) / σ²) · vᵀu.
 *
 * Both implementations run the same double-precision arithmetic in the same order, rounding to
 * float32 at the same points, so cpu and onednn give the same values.
 */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

export const SPECTRAL_NORMALIZE = 'SpectralNormalize';
export const SPECTRAL_NORMALIZE_GRAD = 'SpectralNormalizeGrad';

/** Added to every norm before dividing by it, as in Compare GAN's `spectral_norm`. */
export const SPECTRAL_NORM_EPS = 1e-12;

type Values = ArrayLike<number>;

/** Kernel inputs by name, as the engine passes them. */
type Inputs = Readonly<Record<string, tf.TensorInfo>>;

/** [rows, cols] of the matrix view of a kernel of rank ≥ 2 (cols = the last axis). */
export function matrixDims(shape: readonly number[]): [number, number] {
  const cols = shape[shape.length - 1];
  return [cols === 0 ? 0 : tf.util.sizeFromShape([...shape]) / cols, cols];
}

/** out ← x / (‖x‖ + ε), x accumulated in double; returns nothing (out is float32). */
function normaliseInto(x: Float64Array, out: Float32Array): void {
  let squares = 0;
  for (let i = 0; i < x.length; i++) squares += x[i] * x[i];
  const divisor = Math.sqrt(squares) + SPECTRAL_NORM_EPS;
  for (let i = 0; i < x.length; i++) out[i] = x[i] / divisor;
}

/** t ← W u: t[r] = Σ_c W[r, c] u[c]. */
function timesU(w: Values, rows: number, cols: number, u: Float32Array, t: Float64Array): void {
  for (let r = 0, i = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < cols; c++, i++) sum += w[i] * u[c];
    t[r] = sum;
  }
}

/** s ← Wᵀ v: s[c] = Σ_r v[r] W[r, c], accumulated over r in order. */
function timesV(w: Values, rows: number, cols: number, v: Float32Array, s: Float64Array): void {
  s.fill(0);
  for (let r = 0, i = 0; r < rows; r++) {
    const vr = v[r];
    for (let c = 0; c < cols; c++, i++) s[c] += vr * w[i];
  }
}

/** The arithmetic of SpectralNormalize on plain arrays (the JavaScript reference of the native kernel). */
export function spectralNormalizeValues(
  w: Values, rows: number, cols: number, u0: Values, iterations: number,
): { normalized: Float32Array; sigma: number; newU: Float32Array; v: Float32Array } {
  const u = Float32Array.from(u0);
  const v = new Float32Array(rows);
  const t = new Float64Array(rows);
  const s = new Float64Array(cols);
  for (let i = 0; i < iterations; i++) {
    timesU(w, rows, cols, u, t);
    normaliseInto(t, v);
    timesV(w, rows, cols, v, s);
    normaliseInto(s, u);
  }
  timesU(w, rows, cols, u, t);
  normaliseInto(t, v);
  timesV(w, rows, cols, v, s);
  let sigma64 = 0;
  for (let c = 0; c < cols; c++) sigma64 += u[c] * s[c];
  const sigma = Math.fround(sigma64);
  const normalized = new Float32Array(rows * cols);
  for (let i = 0; i < normalized.length; i++) normalized[i] = w[i] / sigma;
  return { normalized, sigma, newU: u, v };
}

/** The arithmetic of SpectralNormalizeGrad on plain arrays. */
export function spectralNormalizeGradValues(
  dy: Values, w: Values, rows: number, cols: number, u: Values, v: Values, sigma: number, dSigma: number,
): Float32Array {
  let dot = 0;
  for (let i = 0; i < rows * cols; i++) dot += dy[i] * w[i];
  const coefficient = dSigma - dot / (sigma * sigma);
  const dw = new Float32Array(rows * cols);
  for (let r = 0, i = 0; r < rows; r++) {
    const scaled = coefficient * v[r];
    for (let c = 0; c < cols; c++, i++) dw[i] = dy[i] / sigma + scaled * u[c];
  }
  return dw;
}

/** A backend that stores its tensors as the cpu backend does (cpu, onednn). */
interface CpuLike {
  data: MathBackendCPU['data'];
  makeTensorInfo: MathBackendCPU['makeTensorInfo'];
}

function valuesOf(backend: CpuLike, t: tf.TensorInfo): Values {
  return backend.data.get(t.dataId).values as Values;
}

/** The `state` output: [σ, u, v]. */
export function packState(sigma: number, u: Float32Array, v: Float32Array): Float32Array {
  const state = new Float32Array(1 + u.length + v.length);
  state[0] = sigma;
  state.set(u, 1);
  state.set(v, 1 + u.length);
  return state;
}

/** σ, u and v as views of a `state` array of a [rows, cols] kernel. */
export function unpackState<A extends Float32Array | Int32Array | Uint8Array>(state: A, rows: number, cols: number): { sigma: number; u: A; v: A } {
  return { sigma: state[0], u: state.subarray(1, 1 + cols) as A, v: state.subarray(1 + cols, 1 + cols + rows) as A };
}

/** The four outputs of SpectralNormalize as tensor infos of `backend`. */
export function spectralNormalizeOutputs(
  backend: CpuLike, wShape: readonly number[], result: ReturnType<typeof spectralNormalizeValues>,
): tf.TensorInfo[] {
  const [rows, cols] = matrixDims(wShape);
  return [
    backend.makeTensorInfo([...wShape], 'float32', result.normalized),
    backend.makeTensorInfo([], 'float32', Float32Array.of(result.sigma)),
    backend.makeTensorInfo([1, cols], 'float32', result.newU),
    backend.makeTensorInfo([1 + cols + rows], 'float32', packState(result.sigma, result.newU, result.v)),
  ];
}

function cpuSpectralNormalize({ inputs, backend, attrs }: { inputs: Inputs; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const cpu = backend as CpuLike;
  const { w, u } = inputs;
  const [rows, cols] = matrixDims(w.shape);
  const result = spectralNormalizeValues(valuesOf(cpu, w), rows, cols, valuesOf(cpu, u), (attrs?.iterations as number | undefined) ?? 1);
  return spectralNormalizeOutputs(cpu, w.shape, result);
}

function cpuSpectralNormalizeGrad({ inputs, backend }: { inputs: Inputs; backend: unknown }): tf.TensorInfo {
  const cpu = backend as CpuLike;
  const { dy, w, state, dSigma } = inputs;
  const [rows, cols] = matrixDims(w.shape);
  const { sigma, u, v } = unpackState(valuesOf(cpu, state) as Float32Array, rows, cols);
  const dw = spectralNormalizeGradValues(valuesOf(cpu, dy), valuesOf(cpu, w), rows, cols, u, v, sigma, valuesOf(cpu, dSigma)[0]);
  return cpu.makeTensorInfo([...w.shape], 'float32', dw);
}

/** Registers the cpu kernels and the gradient (once per process). */
function register(): void {
  if (tf.getKernel(SPECTRAL_NORMALIZE, 'cpu') === undefined) {
    tf.registerKernel({ kernelName: SPECTRAL_NORMALIZE, backendName: 'cpu', kernelFunc: cpuSpectralNormalize as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: SPECTRAL_NORMALIZE_GRAD, backendName: 'cpu', kernelFunc: cpuSpectralNormalizeGrad as unknown as tf.KernelFunc });
  }
  if (tf.getGradient(SPECTRAL_NORMALIZE) === undefined) {
    tf.registerGradient({
      kernelName: SPECTRAL_NORMALIZE,
      inputsToSave: ['w'],
      outputsToSave: [false, false, false, true],
      gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [dy, dSigma] = dys as tf.Tensor[];
        const [w, state] = saved;
        return {
          w: () => tf.engine().runKernel(SPECTRAL_NORMALIZE_GRAD, { dy, w, state, dSigma }) as tf.Tensor,
          // u is a constant of the power iteration: no gradient flows to it.
          u: () => tf.zeros([1, w.shape[w.rank - 1]]),
        };
      },
    });
  }
}

register();

/** Whether the current backend has the fused kernels (cpu and onednn do; others use the op chain). */
export function hasSpectralNormKernel(): boolean {
  return tf.getKernel(SPECTRAL_NORMALIZE, tf.getBackend()) !== undefined;
}
