/**
 * Gradients of gradients against central finite differences. The quantity is a gradient penalty's
 * core, P(θ) = Σ (∂s/∂x)², where s(x; θ) is a scalar score of a layer or network; its gradient with
 * respect to θ (and x, when x is listed among the variables) needs the gradient of every layer's
 * gradient. The check is directional, in double on the host:
 *   analytic = Σ_k ∂P/∂θ_k · (θ⁺_k − θ⁻_k),   finite = P(θ⁺) − P(θ⁻),   θ^± = fround(θ ± ε·v),
 * with v a seeded normal direction scaled by each variable's root mean square, so float32 rounding of θ^± enters both sides alike.
 * State that a training call writes (spectral-norm u, batch-norm moving statistics) is restored
 * before every evaluation, so P is a function of θ alone.
 */
import type { ExecutionContext } from 'ava';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src/util/rng.js';

export interface NestedGradientCase {
  /** What is checked, for messages. */
  readonly label: string;
  /** θ: the variables P is differentiated by (may include x itself). */
  readonly variables: readonly tf.Variable[];
  /** The input s is differentiated by. */
  readonly x: tf.Tensor;
  /** s(x): a scalar of the layer's or network's output. */
  readonly score: (x: tf.Tensor) => tf.Scalar;
  /** Weights a training call writes; restored before every evaluation. */
  readonly state?: readonly tf.LayerVariable[];
  /** Step length ε relative to each variable's scale (default 1e-4). */
  readonly epsilon?: number;
  /** Largest accepted |analytic − finite| / max(|analytic|, |finite|) (default 2e-2: float32 differences). */
  readonly tolerance?: number;
  readonly seed?: number;
}

/** P = Σ (∂s/∂x)² with gradient recording on, as a penalty computes it. */
function penalty(c: NestedGradientCase): tf.Scalar {
  const g = tf.grad((input: tf.Tensor) => c.score(input))(c.x);
  return tf.sum(tf.square(g));
}

function normal(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Checks the case and that it leaves no tensor behind; returns the relative error. */
export function checkNestedGradient(t: ExecutionContext, c: NestedGradientCase): number {
  const before = tf.memory().numTensors;
  const saved = (c.state ?? []).map((w) => tf.keep(w.read().clone()));
  const restore = (): void => (c.state ?? []).forEach((w, i) => w.write(saved[i]));
  const rng = new Rng(c.seed ?? 11);
  const epsilon = c.epsilon ?? 1e-4;

  restore();
  const { value, grads } = tf.variableGrads(() => penalty(c), [...c.variables]);
  value.dispose();
  const gradients = c.variables.map((v) => {
    // A variable P does not depend on (the last bias: ∂s/∂x does not read it) has no gradient: 0.
    const g = grads[v.name];
    return g === undefined ? new Float64Array(v.size) : Float64Array.from(g.dataSync());
  });
  tf.dispose(Object.values(grads));

  const original = c.variables.map((v) => v.dataSync().slice() as Float32Array);
  // Steps relative to each variable's scale: a small-initialised network (N(0, 0.02²)) would
  // otherwise have many pre-activations cross a ReLU kink, where P jumps.
  const plus = original.map((values) => {
    const rms = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0) / Math.max(values.length, 1)) || 1;
    return values.map((value) => Math.fround(value + epsilon * rms * normal(rng)));
  });
  const minus = original.map((values, k) => values.map((value, i) => Math.fround(2 * value - plus[k][i])));
  const evaluate = (values: Float32Array[]): number => {
    c.variables.forEach((v, k) => tf.tidy(() => v.assign(tf.tensor(values[k], v.shape))));
    restore();
    return tf.tidy(() => penalty(c).dataSync()[0]);
  };
  const finite = evaluate(plus) - evaluate(minus);
  c.variables.forEach((v, k) => tf.tidy(() => v.assign(tf.tensor(original[k], v.shape))));
  restore();
  tf.dispose(saved);

  let analytic = 0;
  gradients.forEach((g, k) => g.forEach((value, i) => (analytic += value * (plus[k][i] - minus[k][i]))));
  const error = Math.abs(analytic - finite) / Math.max(Math.abs(analytic), Math.abs(finite), 1e-30);
  t.true(Math.abs(analytic) > 0, `${c.label}: the nested gradient is not zero`);
  t.true(error < (c.tolerance ?? 2e-2), `${c.label}: analytic ${analytic}, finite ${finite}, relative error ${error}`);
  t.is(tf.memory().numTensors, before, `${c.label}: no tensor left behind`);
  return error;
}

/**
 * For whole discriminators, where thousands of ReLU kinks make P piecewise smooth with pieces
 * smaller than any step float32 resolves: the nested gradient reaches every kernel and embedding
 * (∂s/∂x is linear in each of them between kinks), is finite and not all zero there, and leaves no
 * tensor behind. (Biases, BN offsets and x itself reach ∂s/∂x of a piecewise-linear network only
 * through its kinks: their nested gradient is zero almost everywhere.) Each
 * layer's nested gradient is checked against finite differences by {@link checkNestedGradient}.
 */
export function checkNestedGradientReachesWeights(t: ExecutionContext, c: NestedGradientCase): number {
  const before = tf.memory().numTensors;
  const saved = (c.state ?? []).map((w) => tf.keep(w.read().clone()));
  const { value, grads } = tf.variableGrads(() => penalty(c), [...c.variables]);
  (c.state ?? []).forEach((w, i) => w.write(saved[i]));
  const kernels = c.variables.filter((v) => /\/(kernel|embed)(_\d+)?$/.test(v.name));
  t.true(kernels.length > 0, `${c.label}: has kernels`);
  for (const v of kernels) {
    const g = grads[v.name];
    t.not(g, undefined, `${c.label}: a nested gradient reaches ${v.name}`);
    if (g === undefined) continue;
    const values = g.dataSync();
    t.true(values.every(Number.isFinite), `${c.label}: ${v.name}'s nested gradient is finite`);
    t.true(values.some((x) => x !== 0), `${c.label}: ${v.name}'s nested gradient is not all zero`);
  }
  tf.dispose([value, ...Object.values(grads), ...saved]);
  t.is(tf.memory().numTensors, before, `${c.label}: no tensor left behind`);
  return kernels.length;
}
