/**
 * The addon's length checks: every native function refuses, with a RangeError naming itself and the
 * argument, an array shorter than its other arguments say (or a TypeError for one of the wrong
 * element size), before it writes anything, instead of writing past the array's end.
 */
import type { ExecutionContext } from 'ava';
import * as tf from '@tensorflow/tfjs';
import { OnednnBackend } from '../../../src/backend/onednn/index.js';
import type { OnednnAddon } from '../../../src/backend/onednn/addon.js';
import { nativeTest } from './helpers.js';

function addon(): OnednnAddon {
  const backend = tf.findBackend('onednn');
  if (!(backend instanceof OnednnBackend)) throw new Error('the onednn backend is not initialised');
  return backend.addon;
}

const f32 = (n: number) => new Float32Array(n);
const ones = (n: number) => new Float32Array(n).fill(1);

/** Asserts that `call` throws a RangeError whose message starts with `prefix`, and that `out` stayed zero. */
function refuses(t: ExecutionContext, call: () => unknown, prefix: string, out?: ArrayLike<number>): void {
  const error = t.throws(call, { instanceOf: RangeError }, prefix);
  if (error !== undefined) t.true(error.message.startsWith(prefix), `${prefix}: ${error.message}`);
  if (out !== undefined) t.true(Array.from(out).every((v) => v === 0), `${prefix}: nothing written`);
}

nativeTest('native functions refuse arrays shorter than their shapes say, before writing', (t) => {
  const a = addon();
  // conv2d: x [1, 4, 4, 2], w [3, 3, 2, 3], y [1, 4, 4, 3] ('same', stride 1); one element short each.
  const geometry = [1, 1, 1, 1, 1, 1, 1, 1];
  let out = f32(47);
  refuses(t, () => a.conv2d(0, ones(32), [1, 4, 4, 2], ones(54), [3, 3, 2, 3], out, [1, 4, 4, 3], geometry, null, 0, 0), 'conv2d: y', out);
  refuses(t, () => a.conv2d(0, ones(31), [1, 4, 4, 2], ones(54), [3, 3, 2, 3], f32(48), [1, 4, 4, 3], geometry, null, 0, 0), 'conv2d: x');
  out = f32(53);
  refuses(t, () => a.conv2d(2, ones(32), [1, 4, 4, 2], out, [3, 3, 2, 3], ones(48), [1, 4, 4, 3], geometry, null, 0, 0), 'conv2d: w', out);
  refuses(t, () => a.conv2d(0, ones(32), [1, 4, 4, 2], ones(54), [3, 3, 2, 3], f32(48), [1, 4, 4, 3], geometry, ones(2), 0, 0), 'conv2d: bias');
  t.true(a.conv2d(0, ones(32), [1, 4, 4, 2], ones(54), [3, 3, 2, 3], f32(48), [1, 4, 4, 3], geometry, ones(3), 0, 0), 'conv2d with exact arrays');

  out = f32(2 * 3 * 5 - 1);
  refuses(t, () => a.matmul(ones(2 * 3 * 4), ones(4 * 5), out, 2, 1, 3, 5, 4, false, false, null, 0, 0, 0), 'matmul: c', out);
  refuses(t, () => a.matmul(ones(2 * 3 * 4), ones(4 * 5 - 1), f32(30), 2, 1, 3, 5, 4, false, false, null, 0, 0, 0), 'matmul: b');
  refuses(t, () => a.matmul(ones(12), ones(20), f32(15), 1, 1, 3, 5, 4, false, false, ones(4), 5, 0, 0), 'matmul: bias');
  refuses(t, () => a.matmul(ones(12), ones(20), f32(15), 1, 1, 3, 5, 4, false, false, ones(5), 0, 0, 0), 'matmul: biasLength');

  out = f32(11);
  refuses(t, () => a.binary(0, ones(12), [3, 4], ones(4), [4], out, [3, 4]), 'binary: out', out);
  refuses(t, () => a.binary(10, ones(12), [3, 4], ones(4), [4], new Uint8Array(11), [3, 4]), 'binary: out');
  refuses(t, () => a.binary(0, ones(12), [3, 4], ones(3), [3], f32(12), [3, 4]), 'binary: aShape and bShape');
  refuses(t, () => a.select(new Uint8Array(5), 0, ones(6), ones(6), f32(6)), 'select: condition');
  refuses(t, () => a.select(new Uint8Array(6), 0, ones(6), ones(6), f32(5)), 'select: out');
  refuses(t, () => a.unary(0, ones(6), f32(5), 0), 'unary: y');

  refuses(t, () => a.reduce(0, ones(24), [2, 3, 4], [1], f32(7)), 'reduce: out');
  refuses(t, () => a.reduce(0, ones(23), [2, 3, 4], [1], f32(8)), 'reduce: x');
  refuses(t, () => a.softmax(ones(12), 3, 4, f32(11)), 'softmax: out');

  refuses(t, () => a.transpose(ones(6), [2, 3], [1, 0], f32(5), 4), 'transpose: out');
  refuses(t, () => a.transpose(ones(6), [2, 3], [1, 1], f32(6), 4), 'transpose: perm');
  refuses(t, () => a.reverse(ones(6), [2, 3], [0], f32(5), 4), 'reverse: out');
  refuses(t, () => a.tile(ones(6), [2, 3], [2, 1], f32(11), 4), 'tile: out');
  refuses(t, () => a.tile(ones(6), [2, 3], [2, 1], f32(12), 8), 'tile: elementBytes');
  refuses(t, () => a.slice(ones(12), [3, 4], [1, 1], [2, 3], f32(5), 4), 'slice: out');
  refuses(t, () => a.gather(ones(12), 1, 3, 4, new Int32Array([0, 2]), f32(7), 4), 'gather: out');
  refuses(t, () => a.unsortedSegmentSum(ones(12), 3, 4, new Int32Array([0, 1, 1]), 3, f32(11)), 'unsortedSegmentSum: out');

  refuses(t, () => a.avgPool(ones(2 * 4 * 4 * 3), [2, 4, 4, 3], [2, 2], f32(23)), 'avgPool: out');
  refuses(t, () => a.avgPoolGrad(ones(24), [2, 4, 4, 3], [2, 2], f32(95)), 'avgPoolGrad: dx');
  refuses(t, () => a.batchNorm(ones(12), ones(4), ones(4), null, null, 1e-3, f32(11)), 'batchNorm: out');
  refuses(t, () => a.batchNormTraining(ones(24), 2, 4, null, null, 1e-3, f32(24), f32(3), f32(4)), 'batchNormTraining: mean');
  refuses(t, () => a.batchNormTrainingGrad(ones(24), ones(24), 2, 4, ones(4), ones(4), null, ones(3), ones(4), 1e-3, f32(24), f32(4), f32(4)),
    'batchNormTrainingGrad: dMean');
  refuses(t, () => a.batchNormTrainingGrad(ones(24), ones(24), 2, 4, ones(4), ones(4), null, ones(4), ones(4), 1e-3, f32(24), f32(6), f32(4)),
    'batchNormTrainingGrad: dScale');
  refuses(t, () => a.leakyReluGrad(ones(6), ones(6), 0.2, f32(5)), 'leakyReluGrad: dx');
  refuses(t, () => a.spectralNorm(ones(12), 3, 4, ones(4), 1, f32(12), f32(1), f32(4), f32(2)), 'spectralNorm');
  refuses(t, () => a.emaUpdate(ones(6), ones(6), f32(5), 0.9, 0.1), 'emaUpdate');
});

nativeTest('native functions refuse arrays of the wrong element size', (t) => {
  const a = addon();
  const error = t.throws(() => a.unary(0, new Float32Array(4), new Uint8Array(16) as unknown as Float32Array, 0), { instanceOf: TypeError });
  t.true(error?.message.startsWith('unary: y'), error?.message);
  t.throws(() => a.transpose(new Float32Array(6), [2, 3], [1, 0], new Uint8Array(6), 4), { instanceOf: TypeError }, 'transpose: out of 1-byte elements with elementBytes 4');
});
