/**
 * The onednn backend: tfjs's cpu backend (its storage, its data movement, every kernel it has)
 * with the hot kernels replaced by native ones on oneDNN. It is registered under a name of its own,
 * so 'cpu' stays available beside it for comparisons, and every cpu kernel config is registered
 * again under that name before the native ones replace theirs. Gradients need nothing: tfjs
 * registers them by kernel name, not by backend.
 */
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { registerFusedCpuKernels } from '../fused-updates.js';
// The ops' cpu kernels must be registered before their configs are copied to onednn below.
import '../../ops/index.js';
import { loadAddon, type OnednnAddon } from './addon.js';
import { OutputPool } from './output-pool.js';
import { batchNormTrainingKernels } from './kernels/batch-norm-training.js';
import { convKernels } from './kernels/conv.js';
import { elementwiseKernels } from './kernels/elementwise.js';
import { toKernelConfig, type NativeKernel } from './kernels/kernel.js';
import { layoutKernels } from './kernels/layout.js';
import { matmulKernels } from './kernels/matmul.js';
import { optimKernels } from './kernels/optim.js';
import { poolKernels } from './kernels/pool.js';
import { reduceKernels } from './kernels/reduce.js';
import { spectralNormKernels } from './kernels/spectral-norm.js';

/** The tfjs backend name (no '_': tfjs's kernel registry splits keys on it). */
export const ONEDNN_BACKEND_NAME = 'onednn';

/** Every kernel with a native implementation, in registration order. */
export const NATIVE_KERNELS: readonly NativeKernel[] = [
  ...convKernels,
  ...matmulKernels,
  ...elementwiseKernels,
  ...reduceKernels,
  ...layoutKernels,
  ...poolKernels,
  ...spectralNormKernels,
  ...optimKernels,
  ...batchNormTrainingKernels,
];

type DataId = Parameters<MathBackendCPU['readSync']>[0];
type Values = Parameters<MathBackendCPU['write']>[0];

export class OnednnBackend extends MathBackendCPU {
  /** Output arrays of the native kernels, reused (output-pool.ts); S3GAN_ONEDNN_POOL=0 turns it off. */
  readonly pool: OutputPool | null = process.env.S3GAN_ONEDNN_POOL === '0' ? null : new OutputPool();

  constructor(readonly addon: OnednnAddon) {
    super();
    // The cpu backend's first write prints advice to install tfjs-node; it does not apply here.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** A float32 output array of `length` for a native kernel that writes every element. */
  output(length: number): Float32Array {
    return this.pool?.take(length) ?? new Float32Array(length);
  }

  override write(values: Values, shape: number[], dtype: tf.DataType): DataId {
    this.pool?.noteStored(values);
    return super.write(values, shape, dtype);
  }

  override move(dataId: DataId, values: Values, shape: number[], dtype: tf.DataType, refCount: number): void {
    this.pool?.noteStored(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override readSync(dataId: DataId): tf.backend_util.BackendValues {
    const values = super.readSync(dataId);
    this.pool?.noteRead(values);
    return values;
  }

  override async read(dataId: DataId): Promise<tf.backend_util.BackendValues> {
    const values = await super.read(dataId);
    this.pool?.noteRead(values);
    return values;
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const deleted = super.disposeData(dataId, force);
    if (deleted) this.pool?.release(values);
    return deleted;
  }

  /** Threads for conv and gemm (0 = every core); returns the count in effect. */
  setThreads(threads: number): number {
    if (!(Number.isInteger(threads) && threads >= 0)) throw new Error(`onednn: threads must be an integer >= 0, got ${threads}`);
    return this.addon.setThreads(threads);
  }

  get threads(): number {
    return this.addon.getThreads();
  }
}

/**
 * Loads the addon and registers the 'onednn' backend and its kernels with tfjs (once per process;
 * later calls only return the addon). Throws, with the commands that fix it, when the addon is not
 * built. Does not make the backend current: that is tf.setBackend('onednn').
 */
export function registerOnednnBackend(): OnednnAddon {
  // Node caches the addon module, so a second load is a lookup.
  const addon = loadAddon();
  if (tf.findBackendFactory(ONEDNN_BACKEND_NAME) !== null) return addon;
  // Priority 0: registering must not make tfjs choose this backend by default.
  tf.registerBackend(ONEDNN_BACKEND_NAME, () => new OnednnBackend(addon), 0);
  // s3gan's own cpu kernels first, so they are copied below and the native ones can fall back to them.
  registerFusedCpuKernels();
  for (const config of tf.getKernelsForBackend('cpu')) {
    tf.registerKernel({ ...config, backendName: ONEDNN_BACKEND_NAME });
  }
  for (const kernel of NATIVE_KERNELS) {
    tf.unregisterKernel(kernel.name, ONEDNN_BACKEND_NAME);
    tf.registerKernel(toKernelConfig(kernel, ONEDNN_BACKEND_NAME));
  }
  return addon;
}

/**
 * Sets the thread count of conv and gemm on the current backend when it is onednn (0 = every
 * core) and returns the count in effect, or undefined when another backend is current.
 */
export function setOnednnThreads(threads: number): number | undefined {
  const backend = tf.backend();
  return backend instanceof OnednnBackend ? backend.setThreads(threads) : undefined;
}
