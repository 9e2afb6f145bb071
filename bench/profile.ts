/**
 * `npm run bench -- --profile`: where one steady-state bench-32 iteration spends its time. After the
 * warm-up and the timed iterations, one more iteration runs under tf.profile, which records every
 * kernel the engine dispatches with its wall time. The time outside kernels (the engine's dispatch,
 * output allocation, the tape, JavaScript between ops) is the iteration's wall time less the sum of
 * the kernel times; the profiler's own bookkeeping lands there too, which is why the unprofiled
 * median is printed beside it.
 */
import * as tf from '@tensorflow/tfjs';
import { performance } from 'node:perf_hooks';
import { BenchIteration, checkStepBenchOptions, median, type StepBenchOptions } from './step.js';

/** Calls and summed wall time of one kernel name within the profiled iteration. */
export interface KernelRow {
  readonly name: string;
  readonly calls: number;
  readonly ms: number;
}

export interface StepProfile {
  /** One row per kernel name, most time first. */
  readonly kernels: readonly KernelRow[];
  readonly kernelCalls: number;
  /** Sum of the kernel times, ms. */
  readonly kernelMs: number;
  /** Wall time of the profiled iteration, ms. */
  readonly wallMs: number;
  /** wallMs − kernelMs: dispatch, allocation, tape and JavaScript, ms. */
  readonly outsideKernelsMs: number;
  /** Median wall time of the unprofiled timed iterations, ms. */
  readonly unprofiledMsMedian: number;
  /** Tensors alive after the profiled iteration minus before it (0 when nothing leaks). */
  readonly newTensors: number;
}

/** Sums tf.profile's kernel records by name. */
export function kernelRows(records: readonly { name: string; kernelTimeMs: number | { error: string } | Promise<number | { error: string }> }[]): KernelRow[] {
  const rows = new Map<string, { calls: number; ms: number }>();
  for (const record of records) {
    // profile() has awaited every time by the time it returns; a backend without a timer gives an error record.
    const ms = typeof record.kernelTimeMs === 'number' ? record.kernelTimeMs : 0;
    const row = rows.get(record.name) ?? { calls: 0, ms: 0 };
    row.calls += 1;
    row.ms += ms;
    rows.set(record.name, row);
  }
  return [...rows.entries()].map(([name, row]) => ({ name, ...row })).sort((a, b) => b.ms - a.ms || b.calls - a.calls);
}

/** Runs warm-up and timed iterations, then profiles one more on the current tfjs backend. */
export async function profileStepBench(options: StepBenchOptions): Promise<StepProfile> {
  checkStepBenchOptions(options);
  const bench = new BenchIteration(options);
  try {
    for (let i = 0; i < options.warmup; i++) bench.run();
    const iterationMs: number[] = [];
    for (let i = 0; i < options.steps; i++) {
      const start = performance.now();
      bench.run();
      iterationMs.push(performance.now() - start);
    }
    let wallMs = 0;
    const info = await tf.profile(() => {
      const start = performance.now();
      bench.run();
      wallMs = performance.now() - start;
      return [];
    });
    const kernels = kernelRows(info.kernels);
    const kernelMs = kernels.reduce((sum, row) => sum + row.ms, 0);
    const kernelCalls = kernels.reduce((sum, row) => sum + row.calls, 0);
    return { kernels, kernelCalls, kernelMs, wallMs, outsideKernelsMs: wallMs - kernelMs, unprofiledMsMedian: median(iterationMs), newTensors: info.newTensors };
  } finally {
    bench.dispose();
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

/** One JSON line per kernel name, then one for the whole iteration (with `header`'s fields). */
export function profileJsonLines(profile: StepProfile, header: Record<string, unknown>): string[] {
  const lines = profile.kernels.map((row) => JSON.stringify({ profile: 'kernel', name: row.name, calls: row.calls, ms: round(row.ms) }));
  lines.push(
    JSON.stringify({
      profile: 'iteration',
      ...header,
      kernel_calls: profile.kernelCalls,
      kernel_ms: round(profile.kernelMs),
      wall_ms: round(profile.wallMs),
      outside_kernels_ms: round(profile.outsideKernelsMs),
      unprofiled_ms_median: round(profile.unprofiledMsMedian),
      new_tensors: profile.newTensors,
    }),
  );
  return lines;
}

/** A short table: the `top` kernels by time, the rest summed, and the totals. */
export function profileTable(profile: StepProfile, top = 15): string {
  const row = (name: string, calls: number | string, ms: number | string) =>
    `${name.padEnd(28)}${String(calls).padStart(7)}${(typeof ms === 'number' ? ms.toFixed(1) : ms).padStart(10)}`;
  const shown = profile.kernels.slice(0, top);
  const rest = profile.kernels.slice(top);
  const lines = [row('kernel', 'calls', 'ms')];
  for (const k of shown) lines.push(row(k.name, k.calls, k.ms));
  if (rest.length > 0) {
    lines.push(row(`(${rest.length} others)`, rest.reduce((s, k) => s + k.calls, 0), rest.reduce((s, k) => s + k.ms, 0)));
  }
  lines.push(row('all kernels', profile.kernelCalls, profile.kernelMs));
  lines.push(row('outside kernels', '', profile.outsideKernelsMs));
  lines.push(row('iteration, profiled', '', profile.wallMs));
  lines.push(row('iteration, unprofiled median', '', profile.unprofiledMsMedian));
  return `${lines.join('\n')}\n`;
}
