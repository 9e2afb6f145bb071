/**
 * The pattern of every native kernel: it reads its inputs' typed arrays from the backend, lets the
 * addon fill an output array (`backend.output`, reused from disposed tensors, where the native
 * function writes every element; a fresh zeroed one otherwise), and returns null for any case it
 * does not cover (another dtype, NCHW, an unsupported attribute), in which case the call goes to
 * the cpu kernel of the same name, so coverage can grow one case at a time without changing results.
 */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { OnednnAddon } from '../addon.js';

/** The backend as the kernels see it: the cpu backend's storage plus the addon. */
export interface NativeBackend extends MathBackendCPU {
  readonly addon: OnednnAddon;
  /** A float32 output array for a native function that writes every element (contents undefined). */
  output(length: number): Float32Array;
}

/** Inputs by name; optional ones (a bias) are read as `inputs.bias as TensorInfo | undefined`. */
export type Inputs = Readonly<Record<string, tf.TensorInfo>>;

export interface NativeArgs {
  inputs: Inputs;
  backend: NativeBackend;
  attrs: tf.NamedAttrMap;
}

/** A kernel body: the output(s), or null to run the cpu kernel instead. */
export type NativeImpl = (args: NativeArgs) => tf.TensorInfo | tf.TensorInfo[] | null;

export interface NativeKernel {
  readonly name: string;
  readonly impl: NativeImpl;
}

/**
 * The values of a tensor as the typed array its dtype names. The cpu backend's Cast from int32 to
 * float32 (no precision lost) only relabels the dtype and keeps the Int32Array, which the JS kernels
 * read as numbers but native code would read as float bits; such arrays are converted (copied).
 */
function valuesOf(backend: NativeBackend, t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array {
  const values = backend.data.get(t.dataId).values as Float32Array | Int32Array | Uint8Array;
  if (t.dtype === 'float32' && !(values instanceof Float32Array)) return Float32Array.from(values);
  if (t.dtype === 'int32' && !(values instanceof Int32Array)) return Int32Array.from(values);
  return values;
}

/** The typed array behind a float32 tensor. */
export function f32(backend: NativeBackend, t: tf.TensorInfo): Float32Array {
  return valuesOf(backend, t) as Float32Array;
}

/** The typed array behind any numeric or bool tensor. */
export function typed(backend: NativeBackend, t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array {
  return valuesOf(backend, t);
}

export function isF32(...tensors: (tf.TensorInfo | undefined)[]): boolean {
  return tensors.every((t) => t === undefined || t.dtype === 'float32');
}

/** Bytes per element of dtypes that are copied as raw bytes (Transpose, Tile, Select). */
export function elementBytes(dtype: tf.DataType): 1 | 4 | null {
  if (dtype === 'float32' || dtype === 'int32') return 4;
  return dtype === 'bool' ? 1 : null;
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Wraps `impl` into a kernel config for `backendName` that falls back to the cpu kernel per call. */
export function toKernelConfig(kernel: NativeKernel, backendName: string): tf.KernelConfig {
  const cpu = tf.getKernel(kernel.name, 'cpu');
  if (cpu === undefined) throw new Error(`onednn: no cpu kernel '${kernel.name}' to fall back to`);
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) =>
    kernel.impl({ inputs: args.inputs as Inputs, backend: args.backend as NativeBackend, attrs: args.attrs ?? {} }) ??
    (cpu.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo | tf.TensorInfo[]);
  return { kernelName: kernel.name, backendName, kernelFunc: kernelFunc as tf.KernelFunc };
}
