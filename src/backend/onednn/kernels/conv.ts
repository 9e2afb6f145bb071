/**
 * Convolution kernels on oneDNN: Conv2D, FusedConv2D (bias and activation as oneDNN post-ops),
 * Conv2DBackpropInput (also tf.conv2dTranspose's forward) and Conv2DBackpropFilter. NHWC float32
 * only; NCHW, prelu and scalar biases go to the cpu kernels.
 *
 * Padding: tfjs's computeConv2DInfo gives the output size and the top/left padding; the
 * bottom/right padding is derived from them so that oneDNN's size equation
 *   out = (in + top + bottom − effectiveFilter) / stride + 1
 * holds exactly. It is negative when 'valid' or 'floor' rounding drops trailing input rows, which
 * oneDNN accepts (those rows are not read, and get a zero gradient). A geometry oneDNN declines
 * (the addon answers false) runs on the cpu kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { f32, isF32, size, type NativeArgs, type NativeKernel } from './kernel.js';

const KIND = { forward: 0, backwardData: 1, backwardFilter: 2 } as const;

/** tfjs fused activation names → the addon's codes (shared with matmul). */
export const ACTIVATIONS: Readonly<Record<string, number>> = { linear: 0, relu: 1, relu6: 2, elu: 3, leakyrelu: 4, sigmoid: 5 };

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: Rounding;
}

/** The geometry the addon expects: [sh, sw, dh, dw, top, left, bottom, right]. */
function geometry(info: tf.backend_util.Conv2DInfo): number[] {
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padInfo } = info;
  const bottom = (info.outHeight - 1) * sh + info.effectiveFilterHeight - info.inHeight - padInfo.top;
  const right = (info.outWidth - 1) * sw + info.effectiveFilterWidth - info.inWidth - padInfo.left;
  return [sh, sw, dh, dw, padInfo.top, padInfo.left, bottom, right];
}

function convInfo(xShape: number[], filterShape: number[], attrs: ConvAttrs): tf.backend_util.Conv2DInfo | null {
  if (attrs.dataFormat === 'NCHW' || xShape.length !== 4 || filterShape.length !== 4) return null;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const empty = info.outHeight <= 0 || info.outWidth <= 0 || size(xShape) === 0 || size(filterShape) === 0;
  return empty ? null : info;
}

function conv2d({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo | null {
  const { x, filter } = inputs;
  const bias = inputs.bias as tf.TensorInfo | undefined;
  const prelu = inputs.preluActivationWeights as tf.TensorInfo | undefined;
  const a = attrs as unknown as ConvAttrs & { activation?: string; leakyreluAlpha?: number };
  const activation = ACTIVATIONS[a.activation ?? 'linear'];
  if (!isF32(x, filter, bias) || prelu !== undefined || activation === undefined) return null;
  if (bias !== undefined && size(bias.shape) !== filter.shape[3]) return null;
  const info = convInfo(x.shape, filter.shape, a);
  if (info === null) return null;
  const out = backend.output(size(info.outShape));
  const done = backend.addon.conv2d(KIND.forward, f32(backend, x), x.shape, f32(backend, filter), filter.shape, out, info.outShape,
    geometry(info), bias === undefined ? null : f32(backend, bias), activation, a.leakyreluAlpha ?? 0.2);
  return done ? backend.makeTensorInfo(info.outShape, 'float32', out) : null;
}

function conv2dBackpropInput({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo | null {
  const { dy, filter } = inputs;
  const a = attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
  if (!isF32(dy, filter)) return null;
  const info = convInfo(a.inputShape, filter.shape, { ...a, dilations: 1 });
  if (info === null || !tf.util.arraysEqual(info.outShape, dy.shape)) return null;
  const dx = backend.output(size(a.inputShape));
  const done = backend.addon.conv2d(KIND.backwardData, dx, a.inputShape, f32(backend, filter), filter.shape, f32(backend, dy), dy.shape,
    geometry(info), null, 0, 0);
  return done ? backend.makeTensorInfo(a.inputShape, 'float32', dx) : null;
}

function conv2dBackpropFilter({ inputs, backend, attrs }: NativeArgs): tf.TensorInfo | null {
  const { x, dy } = inputs;
  const a = attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
  if (!isF32(x, dy)) return null;
  const info = convInfo(x.shape, a.filterShape, { ...a, dilations: 1 });
  if (info === null || !tf.util.arraysEqual(info.outShape, dy.shape)) return null;
  const dw = backend.output(size(a.filterShape));
  const done = backend.addon.conv2d(KIND.backwardFilter, f32(backend, x), x.shape, dw, a.filterShape, f32(backend, dy), dy.shape,
    geometry(info), null, 0, 0);
  return done ? backend.makeTensorInfo(a.filterShape, 'float32', dw) : null;
}

export const convKernels: NativeKernel[] = [
  { name: tf.Conv2D, impl: conv2d },
  { name: tf.FusedConv2D, impl: conv2d },
  { name: tf.Conv2DBackpropInput, impl: conv2dBackpropInput },
  { name: tf.Conv2DBackpropFilter, impl: conv2dBackpropFilter },
];
