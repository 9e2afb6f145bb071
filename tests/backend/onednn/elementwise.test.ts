/**
 * Elementwise kernels of the onednn backend against the cpu backend: every binary op and comparison
 * over every broadcasting pattern (equal shapes, scalar on either side, trailing and leading
 * broadcasts, both sides broadcasting, size-1 axes in the middle, empty), every unary op including
 * special values (±0, ±∞, NaN), and Select.
 *
 * Tolerance: 0 (bit-exact) for arithmetic, comparisons, Select and the algebraic unary ops, which
 * round once as the JavaScript kernels do; 1e-6 relative for the transcendental ones (exp, log,
 * tanh, …), where the C library and V8's Math may differ in the last bit of the double.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src/util/rng.js';
import { addonCalls, compare, nativeTest, random, tensor } from './helpers.js';

const BINARY = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'squaredDifference'] as const;
const COMPARE = ['greater', 'greaterEqual', 'less', 'lessEqual', 'equal', 'notEqual'] as const;

/** [a shape, b shape]: each broadcasting pattern. */
const PATTERNS: [number[], number[]][] = [
  [[2, 3, 4], [2, 3, 4]], // equal shapes
  [[], [2, 3]], // scalar a
  [[5, 3], []], // scalar b
  [[2, 3, 4, 5], [5]], // trailing vector (a bias)
  [[2, 3, 4, 5], [1, 1, 1, 5]], // same, with size-1 axes
  [[2, 3, 4, 5], [2, 1, 1, 5]], // per-sample, per-channel (conditional batch norm)
  [[2, 3, 4, 5], [2, 3, 4, 1]], // per-position (inner broadcast)
  [[2, 1, 4, 1], [1, 3, 1, 5]], // both sides broadcast
  [[4, 1, 3], [2, 1]], // different ranks, middle broadcast
  [[3, 1], [1, 7]], // outer product
  [[1], [6]], // size-1 vector
  [[2, 0, 3], [3]], // empty
];

function pairs(rng: Rng, [sa, sb]: [number[], number[]]) {
  // Small integers make equalities (==, >=) happen, and exact ties for maximum/minimum.
  const draw = (shape: number[]) => {
    const data = random(rng, shape, -3, 3);
    for (let i = 0; i < data.values.length; i += 3) data.values[i] = Math.round(data.values[i]);
    return data;
  };
  return { a: draw(sa), b: draw(sb) };
}

nativeTest('every binary op matches cpu exactly over every broadcasting pattern, natively', async (t) => {
  const rng = new Rng(11);
  for (const op of BINARY) {
    for (const pattern of PATTERNS) {
      const { a, b } = pairs(rng, pattern);
      const run = () => tf[op](tensor(a), tensor(b));
      const empty = pattern.some((s) => s.includes(0));
      if (!empty) t.is(addonCalls(() => tf.dispose(run())).get('binary'), 1, `native ${op} [${pattern[0]}] [${pattern[1]}]`);
      await compare(t, run, 0, `${op} [${pattern[0]}] [${pattern[1]}]`);
    }
  }
});

nativeTest('every comparison matches cpu exactly over every broadcasting pattern, with bool output', async (t) => {
  const rng = new Rng(12);
  for (const op of COMPARE) {
    for (const pattern of PATTERNS) {
      const { a, b } = pairs(rng, pattern);
      const run = () => tf[op](tensor(a), tensor(b));
      const probe = run();
      t.is(probe.dtype, 'bool');
      probe.dispose();
      await compare(t, () => tf.cast(run(), 'float32'), 0, `${op} [${pattern[0]}] [${pattern[1]}]`);
    }
  }
});

nativeTest('binary ops propagate NaN and handle ±∞ as the cpu kernels do', async (t) => {
  const a = new Float32Array([NaN, 1, -Infinity, Infinity, 0, -0, NaN]);
  const b = new Float32Array([1, NaN, Infinity, Infinity, -0, 0, NaN]);
  for (const op of [...BINARY, ...COMPARE]) {
    await compare(t, () => tf.cast(tf[op](tf.tensor1d(a), tf.tensor1d(b)), 'float32'), 0, op);
  }
});

/** tfjs op → [tolerance, input range]; the range keeps inputs inside each function's domain. */
const UNARY: Record<string, [number, number, number]> = {
  relu: [0, -3, 3], relu6: [0, -3, 9], elu: [1e-6, -3, 3], tanh: [1e-6, -4, 4], sigmoid: [1e-6, -6, 6],
  exp: [1e-6, -5, 5], log: [1e-6, 0.01, 10], sqrt: [0, 0, 10], rsqrt: [0, 0.01, 10], square: [0, -3, 3],
  neg: [0, -3, 3], abs: [0, -3, 3], step: [0, -3, 3], reciprocal: [0, -3, 3], log1p: [1e-6, -0.9, 5],
  expm1: [1e-6, -3, 3], sign: [0, -3, 3], floor: [0, -3, 3], ceil: [0, -3, 3],
};

nativeTest('every unary op matches cpu, natively, including ±0, ±∞ and NaN', async (t) => {
  const rng = new Rng(13);
  const specials = [0, -0, Infinity, -Infinity, NaN];
  for (const [name, [rtol, lo, hi]] of Object.entries(UNARY)) {
    const data = random(rng, [3, 7, 5], lo, hi);
    const op = (tf as unknown as Record<string, (x: tf.Tensor) => tf.Tensor>)[name];
    const run = () => op(tensor(data));
    t.is(addonCalls(() => tf.dispose(run())).get('unary'), 1, `native ${name}`);
    await compare(t, run, rtol, name);
    await compare(t, () => op(tf.tensor1d(specials)), rtol, `${name} of special values`);
  }
  for (const alpha of [0.1, 0.2, -0.5]) {
    const data = random(rng, [4, 9], -3, 3);
    await compare(t, () => tf.leakyRelu(tensor(data), alpha), 0, `leakyRelu ${alpha}`);
    await compare(t, () => tf.step(tensor(data), alpha), 0, `step ${alpha}`);
  }
});

nativeTest('Select (tf.where) matches cpu for float32 and int32, and gradients through it', async (t) => {
  const rng = new Rng(14);
  const x = random(rng, [3, 4, 5]);
  const y = random(rng, [3, 4, 5]);
  const run = () => tf.where(tf.greater(tensor(x), tensor(y)), tensor(x), tensor(y));
  t.is(addonCalls(() => tf.dispose(run())).get('select'), 1);
  await compare(t, run, 0, 'float32');
  await compare(t, () => tf.cast(tf.where(tf.less(tensor(x), 0), tf.cast(tensor(x), 'int32'), tf.onesLike(tensor(x)).toInt()), 'float32'), 0, 'int32');
  // A rank-1 condition is broadcast by tf.where before the kernel.
  await compare(t, () => tf.where(tf.tensor1d([true, false, true, true, false], 'bool'), tensor(x), tensor(y)), 0, 'broadcast condition');
  await compare(t, () => tf.grad((a: tf.Tensor) => tf.sum(tf.leakyRelu(a, 0.1)))(tensor(x)), 0, 'leakyRelu gradient');
});

nativeTest('int32 cast to float32 (stored by tfjs as the same Int32Array) reaches native kernels as floats', (t) => {
  // tfjs's cpu Cast from int32 to float32 only relabels the dtype; native code must not read those
  // int bits as floats (this is how uint8 pixels enter the input pipeline).
  const pixels = tf.tensor1d([0, 100, 255, 7], 'int32');
  const floats = tf.cast(pixels, 'float32');
  const calls = addonCalls(() => {
    const scaled = tf.sub(tf.div(floats, 127.5), 1);
    t.deepEqual(Array.from(scaled.dataSync()), [0, 100, 255, 7].map((v) => Math.fround(Math.fround(v / 127.5) - 1)));
    t.deepEqual(Array.from(tf.transpose(tf.reshape(floats, [2, 2])).dataSync()), [0, 255, 100, 7]);
  });
  t.true(calls.size > 0, 'the native kernels ran');
});
