/**
 * The nested-gradient cases of every layer in s3gan's discriminators (and tanh, G's output), and of
 * every discriminator architecture with all its heads. Shared by the cpu test and the onednn test.
 * Steps: 1e-3 of each variable's scale; 1e-4 around LeakyReLU and batch norm (whose kinks a longer
 * step crosses), 3e-3 where P is small (float32 resolution of the difference).
 * Each case is a small model around the layer under test: a spectrally normalised 3×3 conv before
 * it (so θ reaches the layer's gradient) and a dense map after it, with x among the variables (so
 * the layer's second derivative in its input is checked too).
 */
import * as tf from '@tensorflow/tfjs';
import { ClassifierHead, GlobalSumPooling2D, ProjectionHead, RotationHead, SNConv2D, SNDense } from '../../../src/nn/layers/index.js';
import { dcganDiscriminator, resnetDiscriminator, sndcganDiscriminator } from '../../../src/nn/architectures/index.js';
import { Rng } from '../../../src/util/rng.js';
import type { NestedGradientCase } from './helpers.js';

const BATCH = 3;

function uniform(rng: Rng, shape: number[], lo = -1, hi = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, () => lo + (hi - lo) * rng.next()), shape);
}

/** A case made; `dispose` frees its tensors and model. */
export interface BuiltCase extends NestedGradientCase {
  dispose(): void;
}

/** A case by name, made on demand (on the backend current when the test runs). */
export interface CaseMaker {
  readonly label: string;
  readonly make: () => BuiltCase;
}

/** Power iterations until every spectral-norm u has converged, so dσ/dW = vᵀu holds for the finite differences. */
function convergePowerIteration(model: tf.LayersModel, inputs: tf.Tensor | tf.Tensor[]): void {
  for (let i = 0; i < 300; i++) tf.dispose(model.apply(inputs, { training: true }) as tf.Tensor | tf.Tensor[]);
}

/** A model's case: s = Σ c_o ⊙ output_o over its outputs, with fixed random coefficients c. */
function modelCase(label: string, model: tf.LayersModel, xShape: number[], labels: tf.Tensor2D | undefined, seed: number, epsilon?: number): BuiltCase {
  const rng = new Rng(seed);
  const x = tf.variable(uniform(rng, xShape), true, `${label}_x`.replace(/[^A-Za-z0-9_]/g, '_'));
  const inputs = labels === undefined ? x : [x, labels];
  convergePowerIteration(model, inputs);
  const outputs = model.outputs.map((o) => o.shape.map((d) => d ?? BATCH));
  const coefficients = outputs.map((shape) => uniform(rng, shape));
  const score = (input: tf.Tensor): tf.Scalar => {
    const out = model.apply(labels === undefined ? input : [input, labels], { training: true }) as tf.Tensor | tf.Tensor[];
    const list = Array.isArray(out) ? out : [out];
    return tf.addN(list.map((o, i) => tf.sum(tf.mul(o, coefficients[i])))) as tf.Scalar;
  };
  return {
    label,
    x,
    score,
    variables: [...model.trainableWeights.map((w) => w.read() as tf.Variable), x],
    state: model.nonTrainableWeights,
    epsilon,
    dispose: () => {
      tf.dispose([x, ...coefficients]);
      labels?.dispose();
      model.dispose();
    },
  };
}

const sn = (seed: number, filters = 3): SNConv2D => new SNConv2D({ filters, kernelSize: 3, initStddev: 0.5, seed });

/** [B, 4, 4, 2] → SN conv → layer → flatten → SN dense [B, 2]. */
function layerCase(label: string, layer: (x: tf.SymbolicTensor) => tf.SymbolicTensor, seed: number, epsilon = 1e-3): CaseMaker {
  const make = (): BuiltCase => {
    const input = tf.input({ shape: [4, 4, 2] });
    const h = layer(sn(seed).apply(input) as tf.SymbolicTensor);
    const flat = h.shape.length > 2 ? (tf.layers.flatten().apply(h) as tf.SymbolicTensor) : h;
    const out = new SNDense({ units: 2, initStddev: 0.5, seed: seed + 1 }).apply(flat) as tf.SymbolicTensor;
    return modelCase(label, tf.model({ inputs: input, outputs: out }), [BATCH, 4, 4, 2], undefined, seed, epsilon);
  };
  return { label, make };
}

/** h [B, 3] from x [B, 4, 4, 2] (SN conv, LeakyReLU, sum pooling) into `heads`. */
function headCase(label: string, heads: (h: tf.SymbolicTensor, y: tf.SymbolicTensor | undefined) => tf.SymbolicTensor[], numClasses: number, seed: number): CaseMaker {
  const make = (): BuiltCase => {
    const input = tf.input({ shape: [4, 4, 2] });
    const y = numClasses > 0 ? tf.input({ shape: [1], dtype: 'int32' }) : undefined;
    const h = new GlobalSumPooling2D({}).apply(tf.layers.leakyReLU({ alpha: 0.1 }).apply(sn(seed).apply(input))) as tf.SymbolicTensor;
    const model = tf.model({ inputs: y === undefined ? input : [input, y], outputs: heads(h, y) });
    const labels = numClasses > 0 ? tf.tensor2d([0, 2, 1], [BATCH, 1], 'int32') : undefined;
    return modelCase(label, model, [BATCH, 4, 4, 2], labels, seed);
  };
  return { label, make };
}

/** Every layer of the discriminators, and tanh, each in a small model. */
export const LAYER_CASES: readonly CaseMaker[] = [
  layerCase('LeakyReLU (sndcgan, dcgan)', (x) => tf.layers.leakyReLU({ alpha: 0.1 }).apply(x) as tf.SymbolicTensor, 1, 1e-4),
  layerCase('ReLU (resnet)', (x) => tf.layers.reLU().apply(x) as tf.SymbolicTensor, 2),
  layerCase('tanh (generator output)', (x) => tf.layers.activation({ activation: 'tanh' }).apply(x) as tf.SymbolicTensor, 3),
  layerCase('average pooling 2×2 (resnet)', (x) => tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }).apply(tf.layers.leakyReLU({ alpha: 0.1 }).apply(x)) as tf.SymbolicTensor, 4),
  layerCase('batch norm, training mode (dcgan)', (x) => tf.layers.leakyReLU({ alpha: 0.2 }).apply(tf.layers.batchNormalization({ epsilon: 1e-5 }).apply(x)) as tf.SymbolicTensor, 5, 1e-4),
  layerCase('strided spectral-norm conv (sndcgan)', (x) => tf.layers.leakyReLU({ alpha: 0.1 }).apply(new SNConv2D({ filters: 2, kernelSize: 4, strides: 2, initStddev: 0.5, seed: 60 }).apply(x)) as tf.SymbolicTensor, 6, 3e-3),
  layerCase('global sum pooling', (x) => new GlobalSumPooling2D({}).apply(tf.layers.leakyReLU({ alpha: 0.1 }).apply(x)) as tf.SymbolicTensor, 7),
  headCase('projection head, unconditional', (h) => [new ProjectionHead({ numClasses: 0, initStddev: 0.5, seed: 80 }).apply(h) as tf.SymbolicTensor], 0, 8),
  headCase('projection head, conditional', (h, y) => [new ProjectionHead({ numClasses: 3, initStddev: 0.5, seed: 90 }).apply([h, y!]) as tf.SymbolicTensor], 3, 9),
  headCase('rotation head', (h) => [new RotationHead({ initStddev: 0.5, seed: 100 }).apply(h) as tf.SymbolicTensor], 0, 10),
  headCase('classifier head', (h) => [new ClassifierHead({ numClasses: 3, initStddev: 0.5, seed: 110 }).apply(h) as tf.SymbolicTensor], 3, 11),
];

/** Every discriminator architecture, unconditional and conditional, with every head it can have. */
export const ARCHITECTURE_CASES: readonly CaseMaker[] = (
  [
    ['sndcgan', sndcganDiscriminator, 8],
    ['resnet', resnetDiscriminator, 8],
    ['dcgan', dcganDiscriminator, 16],
  ] as const
).flatMap(([name, build, imageSize], a) =>
  [0, 3].map((numClasses) => {
    const label = `${name} D${numClasses > 0 ? ', conditional with classifier head' : ''}, rotation head`;
    const make = (): BuiltCase => {
      const model = build({ numClasses, width: 2, imageSize, channels: 1, seed: 20 + a, rotationHead: true, classifierHead: numClasses > 0 });
      const labels = numClasses > 0 ? tf.tensor2d([0, 2, 1], [BATCH, 1], 'int32') : undefined;
      return modelCase(label, model, [BATCH, imageSize, imageSize, 1], labels, 30 + a);
    };
    return { label, make };
  }),
);

