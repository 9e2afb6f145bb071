import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { kernelRows, profileJsonLines, profileStepBench, profileTable } from '../../bench/profile.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

test('kernel records are summed by name, most time first', (t) => {
  const rows = kernelRows([
    { name: 'Add', kernelTimeMs: 1 },
    { name: 'Conv2D', kernelTimeMs: 5 },
    { name: 'Add', kernelTimeMs: 2 },
    { name: 'Sqrt', kernelTimeMs: { error: 'no timer' } },
  ]);
  t.deepEqual(rows, [
    { name: 'Conv2D', calls: 1, ms: 5 },
    { name: 'Add', calls: 2, ms: 3 },
    { name: 'Sqrt', calls: 1, ms: 0 },
  ]);
});

test('a profiled bench iteration on a tiny network: per-kernel lines, totals that add up, no leaked tensor', async (t) => {
  // 8×8 images: the pure-JavaScript backend needs minutes for one iteration at the bench's 32×32.
  const profile = await profileStepBench({ width: 1, batch: 16, steps: 1, warmup: 1, seed: 0, imageSize: 8 });
  t.is(profile.newTensors, 0);
  t.is(profile.kernelCalls, profile.kernels.reduce((sum, k) => sum + k.calls, 0));
  t.true(profile.kernels.some((k) => k.name === 'S3ganAdamUpdate'), 'the bench trains with the fused Adam');
  t.true(Math.abs(profile.wallMs - profile.kernelMs - profile.outsideKernelsMs) < 1e-9);
  const lines = profileJsonLines(profile, { width: 1 }).map((line) => JSON.parse(line) as Record<string, unknown>);
  t.is(lines.length, profile.kernels.length + 1);
  t.like(lines.at(-1), { profile: 'iteration', width: 1, kernel_calls: profile.kernelCalls, new_tensors: 0 });
  t.regex(profileTable(profile), /all kernels +\d+/);
});
