/**
 * The input gradient a gradient penalty reads: g = ∇_x D(x) [B, s, s, c] of D's logits, labelled
 * as the real batch, at images x that carry no gradient themselves. Computed under the D step's
 * tape, so minimising a function of g differentiates D twice (src/ops makes every layer's gradient
 * differentiable).
 */
import * as tf from '@tensorflow/tfjs';
import { invariant } from '../../../util/errors.js';
import type { ForwardOutputs } from './term.js';

export function inputGradient(forward: ForwardOutputs, images: tf.Tensor4D): tf.Tensor4D {
  const score = forward.scoreAsReal;
  invariant(score !== undefined, 'a gradient penalty runs in the D step, which scores other images');
  // The gradient of the logits' sum: each sample's own gradient when D has no batch statistics
  // (sndcgan, resnet); with batch norm (dcgan) it also carries the cross-sample terms, as Compare
  // GAN's tf.gradients of the logits does.
  return tf.grad((x: tf.Tensor) => tf.sum(score(x as tf.Tensor4D)))(images) as tf.Tensor4D;
}

/** The term's U[0, 1] draws, checked against the shape it asked for. */
export function uniformDraws(forward: ForwardOutputs, shape: readonly number[]): tf.Tensor {
  const u = forward.uniform;
  invariant(u !== undefined && u.shape.join(',') === shape.join(','), `the penalty needs U[0, 1] draws of shape [${shape.join(', ')}], got ${u === undefined ? 'none' : `[${u.shape.join(', ')}]`}`);
  return u;
}
