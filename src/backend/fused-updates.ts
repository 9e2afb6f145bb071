/**
 * Fused parameter-update kernels: Adam's step for one variable and one step of a weight average,
 * each one kernel call with fresh outputs instead of a chain of about a dozen (Adam) or three (EMA)
 * elementwise kernels. They are registered for the 'cpu' backend here, in JavaScript, and replaced
 * on 'onednn' by native loops (src/backend/onednn/kernels/optim.ts) that fall back to these per call.
 *
 * Every operation is rounded to float32 in the order of tfjs's AdamOptimizer.applyGradients and of
 * `add(mul(average, decay), mul(source, 1 − decay))`, whose kernels each round a double result to
 * float32 once, so the fused results are bit-identical to the composed ops on cpu and onednn.
 * Other backends have no such kernel; callers check `hasFusedKernel` and compose tfjs ops there.
 */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

/** Inputs param, gradient, m, v (one shape) and the scalars oneMinusAccBeta1, oneMinusAccBeta2 → [param', m', v']. */
export const ADAM_UPDATE = 'S3ganAdamUpdate';
/** Inputs average, source (one shape) → average'. */
export const EMA_UPDATE = 'S3ganEmaUpdate';

/** Attributes of ADAM_UPDATE: the optimizer's hyper-parameters as tfjs's AdamOptimizer holds them. */
export interface AdamUpdateAttrs {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** The float32 scalars of one Adam step, rounded as tfjs's scalar tensors round them. */
export interface AdamScalars {
  readonly beta1: number;
  readonly oneMinusBeta1: number;
  readonly beta2: number;
  readonly oneMinusBeta2: number;
  readonly oneMinusAccBeta1: number;
  readonly oneMinusAccBeta2: number;
  readonly epsilon: number;
  readonly negativeLearningRate: number;
}

const f = Math.fround;

/** Rounds the attributes and the bias-correction denominators 1 − β^t as the composed ops do. */
export function adamScalars(attrs: AdamUpdateAttrs, oneMinusAccBeta1: number, oneMinusAccBeta2: number): AdamScalars {
  return {
    beta1: f(attrs.beta1),
    oneMinusBeta1: f(1 - attrs.beta1),
    beta2: f(attrs.beta2),
    oneMinusBeta2: f(1 - attrs.beta2),
    oneMinusAccBeta1: f(oneMinusAccBeta1),
    oneMinusAccBeta2: f(oneMinusAccBeta2),
    epsilon: f(attrs.epsilon),
    negativeLearningRate: f(-attrs.learningRate),
  };
}

type Values = ArrayLike<number>;

/** Kingma & Ba 2015, Algorithm 1, in the operation order of tfjs's AdamOptimizer. */
function adamValues(p: Values, g: Values, m: Values, v: Values, s: AdamScalars): [Float32Array, Float32Array, Float32Array] {
  const n = p.length;
  const pOut = new Float32Array(n), mOut = new Float32Array(n), vOut = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const mNew = f(f(m[i] * s.beta1) + f(gi * s.oneMinusBeta1));
    const vNew = f(f(v[i] * s.beta2) + f(f(gi * gi) * s.oneMinusBeta2));
    const mHat = f(mNew / s.oneMinusAccBeta1);
    const vHat = f(vNew / s.oneMinusAccBeta2);
    const step = f(f(mHat / f(f(Math.sqrt(vHat)) + s.epsilon)) * s.negativeLearningRate);
    mOut[i] = mNew;
    vOut[i] = vNew;
    pOut[i] = step + p[i];
  }
  return [pOut, mOut, vOut];
}

function emaValues(average: Values, source: Values, decay: number): Float32Array {
  const d = f(decay), oneMinusD = f(1 - decay);
  const out = new Float32Array(average.length);
  for (let i = 0; i < out.length; i++) out[i] = f(average[i] * d) + f(source[i] * oneMinusD);
  return out;
}

interface KernelArgs {
  inputs: Readonly<Record<string, tf.TensorInfo>>;
  backend: MathBackendCPU;
  attrs?: tf.NamedAttrMap;
}

const values = (backend: MathBackendCPU, t: tf.TensorInfo) => backend.data.get(t.dataId).values as Values;
const scalarValue = (backend: MathBackendCPU, t: tf.TensorInfo) => values(backend, t)[0];

function checkShapes(kernel: string, shape: readonly number[], others: tf.TensorInfo[]): void {
  for (const t of others) {
    if (!tf.util.arraysEqual([...t.shape], [...shape])) throw new Error(`${kernel}: shape [${t.shape}] differs from [${shape}]`);
  }
}

function adamCpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { param, gradient, m, v, oneMinusAccBeta1, oneMinusAccBeta2 } = inputs;
  checkShapes(ADAM_UPDATE, param.shape, [gradient, m, v]);
  const s = adamScalars(attrs as unknown as AdamUpdateAttrs, scalarValue(backend, oneMinusAccBeta1), scalarValue(backend, oneMinusAccBeta2));
  const outs = adamValues(values(backend, param), values(backend, gradient), values(backend, m), values(backend, v), s);
  return outs.map((out) => backend.makeTensorInfo(param.shape, 'float32', out));
}

function emaCpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { average, source } = inputs;
  checkShapes(EMA_UPDATE, average.shape, [source]);
  const out = emaValues(values(backend, average), values(backend, source), (attrs as { decay: number }).decay);
  return backend.makeTensorInfo(average.shape, 'float32', out);
}

/** Registers the JavaScript kernels for 'cpu' (once per process). */
export function registerFusedCpuKernels(): void {
  const kernels: [string, (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]][] = [
    [ADAM_UPDATE, adamCpu],
    [EMA_UPDATE, emaCpu],
  ];
  for (const [kernelName, kernelFunc] of kernels) {
    if (tf.getKernel(kernelName, 'cpu') === undefined) tf.registerKernel({ kernelName, backendName: 'cpu', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
}

/**
 * Whether the current backend has `kernelName`: cpu once registerFusedCpuKernels has run, onednn
 * always; other backends compose ops.
 */
export function hasFusedKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}
