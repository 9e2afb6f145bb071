/**
 * `npm run bench`: times the bench-32 training iteration (bench/step.ts) and prints one JSON line
 * with the fields of its PyTorch peer (docs/benchmark.md), so both can be run back to back:
 *   npm run bench -- --backend onednn --threads 1
 *   then its PyTorch peer (docs/benchmark.md) with the same --width and --threads
 * `--kernels` hands the remaining arguments to the kernel micro-benchmarks of bench/kernels.ts.
 * `--profile` adds one profiled iteration (bench/profile.ts): calls and milliseconds per kernel and the
 * time outside kernels, as JSON lines on stdout and a short table on stderr.
 *
 * The pure-JavaScript cpu backend needs many minutes per width-32 iteration; to check that the
 * bench runs there, use a tiny one: node dist/bench/main.js --backend cpu --width 4 --batch 16 --steps 2
 */
import * as tf from '@tensorflow/tfjs';
import { availableParallelism } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { BACKEND_REQUESTS, selectBackend, type BackendName, type BackendRequest } from '../src/backend/select.js';
import { errorMessage, UserError } from '../src/util/errors.js';
import { profileJsonLines, profileStepBench, profileTable } from './profile.js';
import { BENCH_IMAGE_SIZE, checkStepBenchOptions, median, runStepBench } from './step.js';

interface BenchFlags {
  backend: BackendRequest;
  threads: number;
  width: number;
  batch: number;
  steps: number;
  warmup: number;
  seed: number;
  profile?: boolean;
}

function integer(min: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!(Number.isInteger(n) && n >= min)) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

function program(): Command {
  return new Command('bench')
    .description('Median time of the bench-32 S3GAN training iteration (D step + G step + EMA), as one JSON line.')
    .addOption(new Option('--backend <name>', 'compute backend').choices(BACKEND_REQUESTS).default('auto'))
    .option('--threads <n>', 'threads for the native backends; 0 = all cores (the cpu backend always uses 1)', integer(0), 0)
    .option('--width <w>', 'base width w of both networks', integer(1), 32)
    .option('--batch <b>', 'real images per D step, a multiple of 16', integer(16), 64)
    .option('--steps <n>', 'timed iterations', integer(1), 5)
    .option('--warmup <n>', 'untimed iterations first', integer(1), 1)
    .option('--seed <n>', 'seed of weights, data and noise', integer(0), 0)
    .option('--profile', 'after the timed iterations, profile one more: calls and ms per kernel, time outside kernels')
    .option('--kernels', 'run the kernel micro-benchmarks instead (bench/kernels.ts), with the other arguments')
    .addHelpText(
      'after',
      '\nThe cpu backend is pure JavaScript: one width-32 iteration takes many minutes. Check the bench there with\n' +
        '  node dist/bench/main.js --backend cpu --width 4 --batch 16 --steps 2',
    )
    .exitOverride();
}

/** Delegates to bench/kernels.ts, which may be absent from this checkout. */
async function runKernels(rest: string[]): Promise<void> {
  // A computed specifier keeps tsc from resolving the module, so this file compiles without it.
  const specifier: string = './kernels.js';
  let kernels: { runKernelBench?: (args: string[]) => Promise<void> | void };
  try {
    kernels = (await import(specifier)) as typeof kernels;
  } catch (error) {
    throw new UserError(`--kernels needs bench/kernels.ts (compiled to dist/bench/kernels.js), which could not be loaded: ${errorMessage(error)}`);
  }
  if (typeof kernels.runKernelBench !== 'function') throw new UserError('bench/kernels.ts does not export runKernelBench');
  await kernels.runKernelBench(rest);
}

/**
 * Applies --threads where the native libraries read it when they load: libtensorflow's intra- and
 * inter-op pools (tfjs-node) and OpenMP. selectBackend has no thread option of its own yet.
 */
function requestThreads(threads: number): void {
  if (threads === 0) return;
  for (const name of ['TF_NUM_INTRAOP_THREADS', 'TF_NUM_INTEROP_THREADS', 'OMP_NUM_THREADS']) process.env[name] = String(threads);
}

/** The thread count the backend computes with: 1 for pure JavaScript, else the request or every core. */
function effectiveThreads(backend: BackendName, requested: number): number {
  if (backend === 'cpu') return 1;
  return requested > 0 ? requested : availableParallelism();
}

async function bench(flags: BenchFlags): Promise<void> {
  checkStepBenchOptions(flags);
  requestThreads(flags.threads);
  const selection = await selectBackend(flags.backend, undefined, undefined, { threads: flags.threads });
  process.stderr.write(`bench-32: backend ${selection.name} (${selection.detail}), width ${flags.width}, batch ${flags.batch}, ${flags.warmup} warm-up + ${flags.steps} timed iterations${flags.profile === true ? ' + 1 profiled' : ''}\n`);
  if (flags.profile === true) {
    const profile = await profileStepBench(flags);
    const header = { impl: `s3gan-${selection.name}`, backend: selection.name, threads: effectiveThreads(selection.name, flags.threads), width: flags.width, batch: flags.batch };
    process.stdout.write(`${profileJsonLines(profile, header).join('\n')}\n`);
    process.stderr.write(profileTable(profile));
    return;
  }
  const result = runStepBench(flags);
  if (result.tensorsLeaked !== 0) {
    process.stderr.write(`warning: the tensor count changed by ${result.tensorsLeaked} over ${flags.steps} timed iterations (a leak)\n`);
  }
  const ms = median(result.iterationMs);
  const round = (x: number) => Math.round(x * 10) / 10;
  const line = {
    impl: `s3gan-${selection.name}`,
    tfjs: tf.version.tfjs,
    backend: selection.name,
    threads: effectiveThreads(selection.name, flags.threads),
    width: flags.width,
    batch: flags.batch,
    size: BENCH_IMAGE_SIZE,
    ms_per_iteration_median: round(ms),
    ms_per_iteration_min: round(Math.min(...result.iterationMs)),
    images_per_s: round(flags.batch / (ms / 1000)),
    steps: flags.steps,
    warmup: flags.warmup,
    d_loss: result.dLoss,
    g_loss: result.gLoss,
    tensors_leaked: result.tensorsLeaked,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(argv: string[]): Promise<number> {
  try {
    const kernelsAt = argv.indexOf('--kernels');
    if (kernelsAt >= 0) {
      await runKernels([...argv.slice(0, kernelsAt), ...argv.slice(kernelsAt + 1)]);
      return 0;
    }
    const command = program();
    command.parse(argv, { from: 'user' });
    await bench(command.opts<BenchFlags>());
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UserError) {
      process.stderr.write(`bench: error: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
