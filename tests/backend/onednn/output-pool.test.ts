import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { OnednnBackend } from '../../../src/backend/onednn/index.js';
import { OutputPool } from '../../../src/backend/onednn/output-pool.js';
import { nativeTest, unavailable } from './helpers.js';

test('a released array is taken again by the next output of its length, and only then', (t) => {
  const pool = new OutputPool();
  const a = pool.take(6);
  pool.noteStored(a);
  t.not(pool.take(6), a, 'still held by its tensor');
  pool.release(a);
  t.not(pool.take(5), a, 'another length');
  t.is(pool.take(6), a);
  t.like(pool.stats(), { reused: 1, allocated: 3, escaped: 0 });
});

test('an array that was read out, stored twice, or viewed by another tensor never comes back', (t) => {
  const pool = new OutputPool();
  const read = pool.take(4);
  pool.noteStored(read);
  pool.noteRead(read);
  pool.release(read);
  const shared = pool.take(4);
  pool.noteStored(shared);
  pool.noteStored(shared);
  pool.release(shared);
  const viewed = pool.take(4);
  pool.noteStored(viewed);
  pool.noteStored(viewed.subarray(1, 3));
  pool.release(viewed);
  t.like(pool.stats(), { reused: 0, escaped: 3, freeBytes: 0 });
  const next = pool.take(4);
  t.true(next !== read && next !== shared && next !== viewed);
});

test('arrays the pool did not make are left alone, and a release over capacity evicts the oldest free arrays', (t) => {
  const pool = new OutputPool(40);
  const foreign = new Float32Array(4);
  pool.noteStored(foreign);
  pool.release(foreign);
  t.not(pool.take(4), foreign);
  const [a, b] = [pool.take(8), pool.take(8)];
  pool.release(a);
  pool.release(b);
  t.is(pool.stats().freeBytes, 32, 'two 32-byte arrays do not fit in 40 bytes');
  t.is(pool.stats().evicted, 1);
  t.is(pool.take(8), b, 'the newer array stayed');
  const fresh = pool.take(8);
  t.true(fresh !== a && fresh !== b, 'the evicted one is gone for good');
  pool.release(a);
  t.is(pool.stats().freeBytes, 0, 'an evicted array released again is not the pool\'s any more');
  pool.release(undefined);
  pool.release('text');
  t.is(pool.stats().freeBytes, 0);
});

test('eviction goes by release order across lengths, and an array larger than the capacity is never kept', (t) => {
  const pool = new OutputPool(64);
  const [small1, large, small2] = [pool.take(4), pool.take(8), pool.take(4)];
  const huge = pool.take(32);
  pool.release(small1);
  pool.release(large);
  pool.release(small2);
  t.is(pool.stats().freeBytes, 64);
  pool.release(huge);
  t.is(pool.stats().freeBytes, 64, 'a 128-byte array is over the 64-byte capacity on its own');
  t.is(pool.stats().evicted, 0);
  const next = pool.take(4);
  pool.release(next);
  t.is(next, small2, 'take() answers with the newest free array of its length');
  const other = pool.take(4);
  t.is(other, small2);
  const incoming = pool.take(12);
  pool.release(incoming);
  t.is(pool.stats().evicted, 2, 'small1, then large, were the oldest');
  t.is(pool.stats().freeBytes, 48);
  t.not(pool.take(4), small1, 'small1 was evicted');
  t.is(pool.take(12), incoming);
});

nativeTest('onednn: a disposed output\'s array serves the next output; values read out stay as they were read', (t) => {
  const backend = tf.backend() as OnednnBackend;
  const pool = backend.pool;
  if (pool === null) {
    t.pass('S3GAN_ONEDNN_POOL=0');
    return;
  }
  const x = tf.tensor2d([[-1, 2, -3, 4], [5, -6, 7, -8]]);
  const y = tf.relu(x);
  const before = pool.stats();
  y.dispose();
  const z = tf.neg(x);
  t.is(pool.stats().reused, before.reused + 1);
  t.deepEqual(Array.from(z.dataSync()), [1, -2, 3, -4, -5, 6, -7, 8]);

  const read = z.dataSync();
  z.dispose();
  const w = tf.relu(x);
  t.deepEqual(Array.from(read), [1, -2, 3, -4, -5, 6, -7, 8], 'an array handed out is never reused');
  t.deepEqual(Array.from(w.dataSync()), [0, 2, 0, 4, 5, 0, 7, 0]);
  tf.dispose([x, w]);
});

nativeTest('onednn: a strided slice (a view of its input\'s array) keeps its values after the input is disposed', (t) => {
  const x = tf.tensor2d([[1, -2, 3, -4], [-5, 6, -7, 8]]);
  const y = tf.relu(x);
  const rows = tf.stridedSlice(y, [0, 0], [1, 4], [1, 1]);
  y.dispose();
  const other = tf.neg(x);
  t.deepEqual(Array.from(rows.dataSync()), [1, 0, 3, 0]);
  tf.dispose([x, rows, other]);
});

// The whole bench iteration, with and without the pool, in fresh processes: the same losses to the
// last bit (a kernel that left part of a reused array unwritten would show here).
const bench = (pool: '0' | '1') => {
  const result = spawnSync(process.execPath, [resolve('dist/bench/main.js'), '--backend', 'onednn', '--threads', '1', '--width', '4', '--batch', '16', '--steps', '3'], {
    encoding: 'utf8',
    env: { ...process.env, S3GAN_ONEDNN_POOL: pool },
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout.trim().split('\n').pop() as string) as { d_loss: number; g_loss: number; tensors_leaked: number };
};

test('onednn: training iterations give the same losses with and without the pool', (t) => {
  if (unavailable !== null) {
    t.pass(`skipped: ${unavailable}`);
    return;
  }
  const [without, withPool] = [bench('0'), bench('1')];
  t.is(withPool.d_loss, without.d_loss);
  t.is(withPool.g_loss, without.g_loss);
  t.is(withPool.tensors_leaked, 0);
});
