/**
 * Elementwise kernels: broadcasting arithmetic and comparisons, unary functions and activations,
 * and Select. Float32 inputs only (comparisons give bool); int32 arithmetic goes to the cpu kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { elementBytes, f32, isF32, size, typed, type NativeArgs, type NativeKernel } from './kernel.js';

/** Kernel name → the addon's binary op code; codes ≥ 10 are comparisons with a bool output. */
const BINARY: Readonly<Record<string, number>> = {
  [tf.Add]: 0, [tf.Sub]: 1, [tf.Multiply]: 2, [tf.RealDiv]: 3, [tf.Maximum]: 4, [tf.Minimum]: 5,
  [tf.SquaredDifference]: 6,
  [tf.Greater]: 10, [tf.GreaterEqual]: 11, [tf.Less]: 12, [tf.LessEqual]: 13, [tf.Equal]: 14, [tf.NotEqual]: 15,
};

/** Kernel name → the addon's unary op code. */
const UNARY: Readonly<Record<string, number>> = {
  [tf.Relu]: 0, [tf.Relu6]: 1, [tf.LeakyRelu]: 2, [tf.Elu]: 3, [tf.Tanh]: 4, [tf.Sigmoid]: 5, [tf.Exp]: 6,
  [tf.Log]: 7, [tf.Sqrt]: 8, [tf.Rsqrt]: 9, [tf.Square]: 10, [tf.Neg]: 11, [tf.Abs]: 12, [tf.Step]: 13,
  [tf.Reciprocal]: 14, [tf.Log1p]: 15, [tf.Expm1]: 16, [tf.Sign]: 17, [tf.Floor]: 18, [tf.Ceil]: 19,
};

function binary(op: number) {
  return ({ inputs, backend }: NativeArgs): tf.TensorInfo | null => {
    const { a, b } = inputs;
    if (!isF32(a, b)) return null;
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const compare = op >= 10;
    const out = compare ? new Uint8Array(size(outShape)) : backend.output(size(outShape));
    if (out.length > 0) backend.addon.binary(op, f32(backend, a), a.shape, f32(backend, b), b.shape, out, outShape);
    return backend.makeTensorInfo(outShape, compare ? 'bool' : 'float32', out);
  };
}

function unary(op: number) {
  return ({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo | null => {
    const { x } = inputs;
    if (!isF32(x)) return null;
    const out = backend.output(size(x.shape));
    // alpha: LeakyRelu's slope (tfjs default 0.2) or Step's value at x ≤ 0 (default 0).
    const alpha = (attrs.alpha as number | undefined) ?? (op === UNARY[tf.LeakyRelu] ? 0.2 : 0);
    if (out.length > 0) backend.addon.unary(op, f32(backend, x), out, alpha);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };
}

/** Select with a condition of t's own size (tf.where broadcasts it before calling the kernel). */
function select({ inputs, backend }: NativeArgs): tf.TensorInfo | null {
  const { condition, t, e } = inputs;
  if (condition.dtype !== 'bool' || t.dtype !== e.dtype || elementBytes(t.dtype) !== 4) return null;
  const n = size(t.shape);
  if (size(condition.shape) !== n || size(e.shape) !== n) return null;
  const out = t.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  const tv = typed(backend, t) as Float32Array | Int32Array;
  const ev = typed(backend, e) as Float32Array | Int32Array;
  if (n > 0) backend.addon.select(typed(backend, condition) as Uint8Array, 0, tv, ev, out);
  return backend.makeTensorInfo(t.shape, t.dtype, out);
}

export const elementwiseKernels: NativeKernel[] = [
  ...Object.entries(BINARY).map(([name, op]) => ({ name, impl: binary(op) })),
  ...Object.entries(UNARY).map(([name, op]) => ({ name, impl: unary(op) })),
  { name: tf.Select, impl: select },
];
