/**
 * Convolution micro-benchmarks: GFLOP/s of forward, backprop-input and backprop-filter on the two
 * conv shapes that dominate bench-32, on one backend, as JSON lines with the fields that
 * bench/reference_kernels.py prints for PyTorch, so both can be run back to back:
 *   npm run bench -- --kernels --backend onednn --threads 1
 *   /usr/bin/python3 bench/reference_kernels.py --threads 1
 * The pure-JavaScript cpu backend needs minutes per backprop-filter call at batch 64; measure it
 * at a smaller batch (--batch 4 --reps 1 --warmup 0): GFLOP/s hardly depends on the batch there.
 */
import * as tf from '@tensorflow/tfjs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { BACKEND_REQUESTS, selectBackend, type BackendRequest } from '../src/backend/select.js';

/** One benchmarked convolution: x [batch, size, size, inC] * w [k, k, inC, outC], 'same' padding. */
interface ConvCase {
  readonly size: number;
  readonly inChannels: number;
  readonly kernel: number;
  readonly outChannels: number;
  readonly stride: 1 | 2;
}

/** The D convolutions of bench-32 at w = 32 with the most work: 3×3 stride 1 and 4×4 stride 2. */
export const CONV_CASES: readonly ConvCase[] = [
  { size: 32, inChannels: 64, kernel: 3, outChannels: 128, stride: 1 },
  { size: 16, inChannels: 128, kernel: 4, outChannels: 256, stride: 2 },
];

export const CONV_OPS = ['conv2d_forward', 'conv2d_backprop_input', 'conv2d_backprop_filter'] as const;
type ConvOp = (typeof CONV_OPS)[number];

interface KernelFlags {
  backend: BackendRequest;
  threads: number;
  batch: number;
  reps: number;
  warmup: number;
}

function integer(min: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!(Number.isInteger(n) && n >= min)) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

/** Runs `op` once on the current backend and returns its output (for the caller to dispose). */
function runOnce(op: ConvOp, x: tf.Tensor4D, w: tf.Tensor4D, dy: tf.Tensor4D, c: ConvCase): tf.Tensor {
  if (op === 'conv2d_forward') return tf.conv2d(x, w, c.stride, 'same');
  if (op === 'conv2d_backprop_input') return tf.conv2dTranspose(dy, w, x.shape, c.stride, 'same');
  const attrs = { strides: [c.stride, c.stride], pad: 'same', dataFormat: 'NHWC', filterShape: w.shape };
  return tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Times one op on one case; reading the output back ends each timing (outside any tidy). */
function measure(op: ConvOp, c: ConvCase, flags: KernelFlags): { medianMs: number; gflop: number } {
  const out = Math.ceil(c.size / c.stride);
  const x = tf.randomNormal([flags.batch, c.size, c.size, c.inChannels], 0, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomNormal([c.kernel, c.kernel, c.inChannels, c.outChannels], 0, 0.05, 'float32', 2) as tf.Tensor4D;
  const dy = tf.randomNormal([flags.batch, out, out, c.outChannels], 0, 1, 'float32', 3) as tf.Tensor4D;
  const times: number[] = [];
  for (let i = 0; i < flags.warmup + flags.reps; i++) {
    const start = performance.now();
    const result = runOnce(op, x, w, dy, c);
    result.dataSync();
    const elapsed = performance.now() - start;
    result.dispose();
    if (i >= flags.warmup) times.push(elapsed);
  }
  tf.dispose([x, w, dy]);
  const gflop = (2 * flags.batch * out * out * c.outChannels * c.kernel * c.kernel * c.inChannels) / 1e9;
  return { medianMs: median(times), gflop };
}

/** `npm run bench -- --kernels [--backend onednn|cpu] [--threads N] [--batch B] [--reps N]`. */
export async function runKernelBench(argv: string[]): Promise<void> {
  const command = new Command('bench --kernels')
    .description('GFLOP/s of conv forward, backprop-input and backprop-filter, as JSON lines.')
    .addOption(new Option('--backend <name>', 'compute backend').choices(BACKEND_REQUESTS).default('onednn'))
    .option('--threads <n>', 'threads for the native kernels; 0 = all cores', integer(0), 0)
    .option('--batch <b>', 'images per call', integer(1), 64)
    .option('--reps <n>', 'timed calls per op', integer(1), 10)
    .option('--warmup <n>', 'untimed calls first (primitive creation, caches)', integer(0), 2)
    .allowExcessArguments(false);
  command.parse(argv, { from: 'user' });
  const flags = command.opts<KernelFlags>();
  const selection = await selectBackend(flags.backend, undefined, console.error, { threads: flags.threads });
  const threads = selection.name === 'cpu' ? 1 : flags.threads === 0 ? 'all' : flags.threads;
  for (const c of CONV_CASES) {
    for (const op of CONV_OPS) {
      const { medianMs, gflop } = measure(op, c, flags);
      const shape = `x[${flags.batch},${c.size},${c.size},${c.inChannels}] w[${c.kernel},${c.kernel},${c.inChannels},${c.outChannels}] s${c.stride} same`;
      console.log(
        JSON.stringify({
          impl: `tfjs-${selection.name}`,
          backend: selection.name,
          threads,
          op,
          shape,
          median_ms: Number(medianMs.toFixed(2)),
          gflops: Number((gflop / (medianMs / 1000)).toPrecision(3)),
        }),
      );
    }
  }
}
