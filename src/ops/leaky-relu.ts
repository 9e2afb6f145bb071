/**
 * LeakyReLU's gradient as a kernel of its own, so that gradients of gradients work (gradient
 * penalties differentiate D's input gradient). tfjs's own LeakyRelu gradient is
 * where(x > 0, dy, α·dy), whose `Greater` has no gradient; here it is
 *   LeakyReluGrad(dy, x) = dy where x > 0, else α·dy,
 * and LeakyReluGrad's own gradient is LeakyReluGrad(ddx, x) with respect to dy and 0 with respect
 * to x (the function is piecewise linear in x). Importing this module registers the kernel on the
 * cpu backend and replaces tfjs's LeakyRelu gradient; the onednn backend adds a native kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

/** Kernel name (no '_': tfjs's kernel registry splits keys on it). */
export const LEAKY_RELU_GRAD = 'S3ganLeakyReluGrad';

/** The slope attribute as tfjs's leakyRelu op passes it (default 0.2). */
export function leakyReluAlpha(attrs: tf.NamedAttrMap | undefined): number {
  return (attrs?.alpha as number | undefined) ?? 0.2;
}

/** dx = dy where x > 0, else α·dy, α rounded to float32 first as tfjs's mul(dy, α) does. */
function leakyReluGradCpu(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as MathBackendCPU;
  const { dy, x } = args.inputs as Record<'dy' | 'x', tf.TensorInfo>;
  const dyValues = backend.data.get(dy.dataId).values as Float32Array;
  const xValues = backend.data.get(x.dataId).values as Float32Array;
  const alpha = Math.fround(leakyReluAlpha(args.attrs));
  const out = new Float32Array(xValues.length);
  for (let i = 0; i < out.length; i++) out[i] = xValues[i] > 0 ? dyValues[i] : dyValues[i] * alpha;
  return backend.makeTensorInfo(x.shape, 'float32', out);
}

/** LeakyReluGrad(dy, x) as an op, recorded on the gradient tape. */
export function leakyReluGrad(dy: tf.Tensor, x: tf.Tensor, alpha: number): tf.Tensor {
  return tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, x }, { alpha }) as tf.Tensor;
}

tf.registerKernel({ kernelName: LEAKY_RELU_GRAD, backendName: 'cpu', kernelFunc: leakyReluGradCpu as tf.KernelFunc });

tf.registerGradient({
  kernelName: tf.LeakyRelu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    return { x: () => leakyReluGrad(dy as tf.Tensor, x, leakyReluAlpha(attrs)) };
  },
});

tf.registerGradient({
  kernelName: LEAKY_RELU_GRAD,
  inputsToSave: ['x'],
  gradFunc: (ddx, saved, attrs) => {
    const [x] = saved;
    return {
      dy: () => leakyReluGrad(ddx as tf.Tensor, x, leakyReluAlpha(attrs)),
      x: () => tf.zerosLike(x),
    };
  },
});
