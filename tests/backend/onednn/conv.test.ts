/**
 * Convolution kernels of the onednn backend against the cpu backend on randomized geometry:
 * odd sizes, strides 1–2 per axis, dilation, 'same'/'valid'/numeric (with each rounding mode)/
 * explicit padding, fused bias and every fused activation, and both gradients.
 *
 * Native execution is asserted for every geometry but rounded numeric padding: there tfjs sizes
 * the output from the filter height on both axes and its Conv2D gradient drops the rounding mode,
 * which can give a padding beyond a stride that oneDNN declines; those calls run on the cpu
 * kernels, and their results are still compared.
 *
 * Tolerance 1e-5 relative (helpers.ts): oneDNN and the cpu kernel both accumulate in float32, in
 * different orders; over these short sums (≤ 4·4·7 terms) that stays within a few ulps.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src/util/rng.js';
import { addonCalls, between, compare, nativeTest, random, tensor, type Data } from './helpers.js';

const RTOL = 1e-5;

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

interface Case {
  x: Data;
  w: Data;
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
  rounding?: 'floor' | 'round' | 'ceil';
}

function pickPad(rng: Rng, kh: number, kw: number): { pad: Pad; rounding?: 'floor' | 'round' | 'ceil' } {
  switch (rng.int(4)) {
    case 0:
      return { pad: 'same' };
    case 1:
      return { pad: 'valid' };
    case 2:
      return { pad: rng.int(2), rounding: (['floor', 'round', 'ceil'] as const)[rng.int(3)] };
    default:
      return { pad: [[0, 0], [rng.int(kh), rng.int(kh)], [rng.int(kw), rng.int(kw)], [0, 0]] };
  }
}

/** A random case whose output is not empty; dilation only with stride 1 (a tfjs rule). */
function randomCase(rng: Rng, gradients: boolean): Case {
  for (;;) {
    const kh = between(rng, 1, 4), kw = between(rng, 1, 4);
    const strides: [number, number] = [between(rng, 1, 2), between(rng, 1, 2)];
    const dilate = !gradients && strides[0] === 1 && strides[1] === 1 && rng.int(2) === 1;
    const dilations: [number, number] = dilate ? [between(rng, 1, 2), between(rng, 1, 2)] : [1, 1];
    const x = random(rng, [between(rng, 1, 3), between(rng, 1, 11), between(rng, 1, 11), between(rng, 1, 7)]);
    const w = random(rng, [kh, kw, x.shape[3], between(rng, 1, 9)]);
    const c = { x, w, strides, dilations, ...pickPad(rng, kh, kw) };
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], w.shape as [number, number, number, number],
      strides, dilations, c.pad, c.rounding);
    if (info.outHeight > 0 && info.outWidth > 0) return c;
  }
}

function describe(c: Case): string {
  return `x[${c.x.shape}] w[${c.w.shape}] s${c.strides} d${c.dilations} pad ${JSON.stringify(c.pad)} ${c.rounding ?? ''}`;
}

function conv(c: Case, x = tensor(c.x), w = tensor(c.w)): tf.Tensor4D {
  return tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilations, c.rounding);
}

nativeTest('Conv2D matches cpu on 40 random geometries, natively', async (t) => {
  const rng = new Rng(1);
  for (let i = 0; i < 40; i++) {
    const c = randomCase(rng, false);
    const calls = addonCalls(() => tf.dispose(conv(c)));
    if (c.rounding === undefined) t.is(calls.get('conv2d'), 1, `native: ${describe(c)}`);
    await compare(t, () => conv(c), RTOL, describe(c));
  }
});

nativeTest('Conv2DBackpropInput and Conv2DBackpropFilter (tf.grads of conv2d) match cpu on 40 random geometries', async (t) => {
  const rng = new Rng(2);
  for (let i = 0; i < 40; i++) {
    const c = randomCase(rng, true);
    const dy = random(rng, []);
    const grads = () => {
      const seed = tensor(dy);
      return tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(conv(c, x, w), tf.sin(conv(c, x, w)))).mul(seed))([tensor(c.x), tensor(c.w)]);
    };
    const calls = addonCalls(() => tf.dispose(grads()));
    if (c.rounding === undefined) t.is(calls.get('conv2d'), 6, `native: 2 forward, 2 backprop-input, 2 backprop-filter: ${describe(c)}`);
    await compare(t, grads, RTOL, describe(c));
  }
});

nativeTest('FusedConv2D with bias and each fused activation matches cpu', async (t) => {
  const rng = new Rng(3);
  const activations = ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid'] as const;
  for (const activation of activations) {
    for (let i = 0; i < 4; i++) {
      const c = randomCase(rng, false);
      const bias = random(rng, [c.w.shape[3]]);
      const run = () =>
        tf.fused.conv2d({
          x: tensor(c.x) as tf.Tensor4D, filter: tensor(c.w) as tf.Tensor4D, strides: c.strides, pad: c.pad,
          dilations: c.dilations, dimRoundingMode: c.rounding, bias: tensor(bias), activation, leakyreluAlpha: 0.15,
        });
      const calls = addonCalls(() => tf.dispose(run()));
      if (c.rounding === undefined) t.is(calls.get('conv2d'), 1, `native: ${activation} ${describe(c)}`);
      await compare(t, run, RTOL, `${activation} ${describe(c)}`);
    }
  }
});

nativeTest('conv2dTranspose (Conv2DBackpropInput forward) with strides 2 and its gradients match cpu', async (t) => {
  const rng = new Rng(4);
  for (const pad of ['same', 'valid'] as const) {
    for (const k of [1, 3, 4]) {
      const x = random(rng, [2, between(rng, 2, 5), between(rng, 2, 5), 3]);
      const w = random(rng, [k, k, 5, 3]);
      const outShape: [number, number, number, number] =
        pad === 'same' ? [2, x.shape[1] * 2, x.shape[2] * 2, 5] : [2, (x.shape[1] - 1) * 2 + k, (x.shape[2] - 1) * 2 + k, 5];
      const up = (a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, outShape, 2, pad);
      await compare(t, () => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(up(a, b))))([tensor(x), tensor(w)]), RTOL, `${pad} k${k}`);
      await compare(t, () => up(tensor(x), tensor(w)), RTOL, `forward ${pad} k${k}`);
    }
  }
});

nativeTest('NCHW and prelu convolutions fall back to the cpu kernel', async (t) => {
  const rng = new Rng(5);
  const x = random(rng, [1, 3, 6, 6]);
  const w = random(rng, [3, 3, 3, 4]);
  const nchw = () => tf.conv2d(tensor(x) as tf.Tensor4D, tensor(w) as tf.Tensor4D, 1, 'same', 'NCHW');
  t.is(addonCalls(() => tf.dispose(nchw())).get('conv2d'), undefined);
  await compare(t, nchw, RTOL, 'NCHW');
  const alpha = random(rng, [4]);
  const x2 = random(rng, [1, 6, 6, 3]);
  const prelu = () =>
    tf.fused.conv2d({ x: tensor(x2) as tf.Tensor4D, filter: tensor(w) as tf.Tensor4D, strides: 1, pad: 'same', activation: 'prelu', preluActivationWeights: tensor(alpha) });
  t.is(addonCalls(() => tf.dispose(prelu())).get('conv2d'), undefined);
  await compare(t, prelu, RTOL, 'prelu');
});
