/**
 * Shared by the onednn tests: registration (or a logged skip when the addon is not built, unless
 * S3GAN_REQUIRE_ONEDNN=1, as in CI, makes that a failure), running one computation on onednn and
 * on cpu, comparing the results, and counting the addon calls a computation made, so a test can
 * tell a native kernel from its cpu fallback.
 *
 * Tolerance: |native − cpu| ≤ rtol · (|cpu| + mean |cpu| of the tensor) + atol, elementwise. The
 * mean term keeps results near zero from cancellation (a sum of large terms) comparable; atol
 * (default 0) is for values that are zero up to rounding noise, such as the gradient of a bias
 * followed by batch norm.
 */
import test, { type ExecutionContext } from 'ava';
import * as tf from '@tensorflow/tfjs';
import { OnednnBackend, registerOnednnBackend } from '../../../src/backend/onednn/index.js';
import { Rng } from '../../../src/util/rng.js';

const REQUIRED = process.env.S3GAN_REQUIRE_ONEDNN === '1';

function tryRegister(): string | null {
  try {
    registerOnednnBackend();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Why the backend is unavailable, or null when it is registered. */
export const unavailable = tryRegister();

/**
 * A serial test (tfjs's current backend is global) that runs only with the addon; without it, it
 * logs why and passes, or fails when S3GAN_REQUIRE_ONEDNN=1.
 */
export function nativeTest(title: string, body: (t: ExecutionContext) => void | Promise<void>): void {
  test.serial(title, async (t) => {
    if (unavailable !== null) {
      if (REQUIRED) t.fail(`S3GAN_REQUIRE_ONEDNN=1 but the onednn backend is unavailable: ${unavailable}`);
      else {
        t.log(`skipped: ${unavailable}`);
        t.pass();
      }
      return;
    }
    await tf.setBackend('onednn');
    try {
      await body(t);
    } finally {
      await tf.setBackend('onednn');
    }
  });
}

type Output = tf.Tensor | tf.Tensor[];

/** Reads outputs outside any tidy (tidy would walk the returned arrays) and disposes them. */
function read(output: Output): Float32Array[] {
  const tensors = Array.isArray(output) ? output : [output];
  const values = tensors.map((x) => Float32Array.from(x.dataSync()));
  tf.dispose(tensors);
  return values;
}

/** Runs `fn` on onednn, then on cpu; returns both results as arrays and leaves onednn current. */
export async function onBoth(fn: () => Output): Promise<{ native: Float32Array[]; reference: Float32Array[] }> {
  await tf.setBackend('onednn');
  const native = read(tf.tidy(fn));
  await tf.setBackend('cpu');
  const reference = read(tf.tidy(fn));
  await tf.setBackend('onednn');
  return { native, reference };
}

/** Asserts the tolerance of the file header on every element; NaN must match NaN. */
export function assertClose(t: ExecutionContext, actual: Float32Array, expected: Float32Array, rtol: number, label: string, atol = 0): void {
  if (actual.length !== expected.length) {
    t.fail(`${label}: ${actual.length} values, expected ${expected.length}`);
    return;
  }
  let meanAbs = 0;
  for (const v of expected) if (Number.isFinite(v)) meanAbs += Math.abs(v) / expected.length;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      if (!Object.is(a, e) && !(Number.isNaN(a) && Number.isNaN(e)) && a !== e) worst = worst < 0 ? i : worst;
      continue;
    }
    const excess = Math.abs(a - e) - rtol * (Math.abs(e) + meanAbs) - atol;
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess)) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) t.fail(`${label}: element ${worst} is ${actual[worst]}, cpu gives ${expected[worst]} (rtol ${rtol}, atol ${atol})`);
  else t.pass();
}

/** Runs `fn` on both backends and compares every output. */
export async function compare(t: ExecutionContext, fn: () => Output, rtol: number, label: string, atol = 0): Promise<void> {
  const { native, reference } = await onBoth(fn);
  t.is(native.length, reference.length, `${label}: output count`);
  native.forEach((values, i) => assertClose(t, values, reference[i], rtol, native.length > 1 ? `${label} [${i}]` : label, atol));
}

/**
 * Addon function name → calls made while `fn` ran on the onednn backend, not counting calls that
 * answered `false` (a case the addon declined, which then ran on the cpu kernel).
 */
export function addonCalls(fn: () => void): Map<string, number> {
  const backend = tf.findBackend('onednn');
  if (!(backend instanceof OnednnBackend)) throw new Error('the onednn backend is not initialised');
  const addon = backend.addon;
  const calls = new Map<string, number>();
  const spy = new Proxy(addon, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result !== false) calls.set(String(key), (calls.get(String(key)) ?? 0) + 1);
        return result;
      };
    },
  });
  Object.defineProperty(backend, 'addon', { value: spy, configurable: true });
  try {
    fn();
  } finally {
    Object.defineProperty(backend, 'addon', { value: addon, configurable: true });
  }
  return calls;
}

/** Values drawn once, so that both backends' runs build identical tensors from them. */
export interface Data {
  readonly values: Float32Array;
  readonly shape: number[];
}

/** Seeded values uniform in [lo, hi). */
export function random(rng: Rng, shape: number[], lo = -1, hi = 1): Data {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = lo + (hi - lo) * rng.next();
  return { values, shape };
}

export function tensor(data: Data): tf.Tensor {
  return tf.tensor(data.values, data.shape, 'float32');
}

/** A seeded integer in [lo, hi]. */
export function between(rng: Rng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}
