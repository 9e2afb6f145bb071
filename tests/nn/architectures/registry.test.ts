import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { ARCHITECTURE_NAMES, buildDiscriminator, buildGenerator, type ArchitectureName } from '../../../src/nn/architectures/index.js';
import { discriminatorStep, generatorStep, type GanModels, type StepOptions } from '../../../src/training/gan/steps.js';
import { trainableVariables } from '../../../src/training/common/variables.js';
import { UserError } from '../../../src/util/errors.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

// rotatedBatchFraction 1 with batch 4: the last image is appended at all four rotations.
const OPTIONS: StepOptions = { loss: 'hinge', rotatedBatchFraction: 1, rotationWeightD: 1, rotationWeightG: 0.2 };
// 16 pixels: the smallest size every family takes (DCGAN needs a multiple of 16).
const SIZE = 16;

// The step variants run per architecture: the full S3GAN (conditional + rotation) and the plain GAN.
const VARIANTS = [
  { name: 's3gan (conditional + rotation)', conditional: true, rotation: true },
  { name: 'gan (unconditional)', conditional: false, rotation: false },
];

function models(architecture: ArchitectureName, conditional: boolean, rotation: boolean): GanModels {
  const common = { numClasses: conditional ? 3 : 0, width: 2, imageSize: SIZE, channels: 1 as const };
  return {
    generator: buildGenerator(architecture, { ...common, zDim: 4, seed: 1 }),
    discriminator: buildDiscriminator(architecture, { ...common, seed: 2, rotationHead: rotation, classifierHead: false }),
    conditional,
    rotation,
    coTraining: false,
  };
}

function batch(seed: number) {
  return {
    realImages: tf.randomUniform([4, SIZE, SIZE, 1], -1, 1, 'float32', seed) as tf.Tensor4D,
    realLabels: tf.tensor1d([0, 1, 2, 1], 'int32'),
    z: tf.randomNormal([4, 4], 0, 1, 'float32', seed + 1) as tf.Tensor2D,
    fakeLabels: tf.tensor1d([2, 0, 1, 0], 'int32'),
  };
}

function snapshot(variables: readonly tf.Variable[]): Float32Array[] {
  return variables.map((v) => v.dataSync().slice() as Float32Array);
}

function changed(before: Float32Array[], variables: readonly tf.Variable[]): boolean[] {
  return variables.map((v, i) => v.dataSync().some((x, j) => x !== before[i][j]));
}

/** Every weight of a model, trainable or not (batch-norm statistics, spectral-norm vectors). */
function allVariables(model: tf.LayersModel): tf.Variable[] {
  return model.weights.map((weight) => weight.read() as tf.Variable);
}

test('the registry lists the three families of the config and builds each', (t) => {
  t.deepEqual([...ARCHITECTURE_NAMES], ['sndcgan', 'resnet', 'dcgan']);
  for (const name of ARCHITECTURE_NAMES) {
    const common = { numClasses: 3, width: 2, imageSize: SIZE, channels: 3 as const, seed: 0 };
    const g = buildGenerator(name, { ...common, zDim: 4 });
    const d = buildDiscriminator(name, { ...common, rotationHead: true, classifierHead: true });
    t.deepEqual(g.outputs[0].shape, [null, SIZE, SIZE, 3], name);
    t.deepEqual(
      d.outputs.map((o) => o.shape),
      [
        [null, 1],
        [null, 4],
        [null, 3],
      ],
      name,
    );
    t.deepEqual(
      [g.inputNames, d.inputNames],
      [
        ['z', 'y'],
        ['x', 'y'],
      ],
      name,
    );
  }
});

test('an unknown name is a UserError that lists the known ones and suggests the nearest', (t) => {
  const options = { numClasses: 0, width: 2, imageSize: SIZE, channels: 1 as const, seed: 0 };
  const error = t.throws(() => buildGenerator('resnte' as ArchitectureName, { ...options, zDim: 4 }), { instanceOf: UserError });
  t.regex(error?.message ?? '', /unknown architecture 'resnte' \(did you mean 'resnet'\?\); known: sndcgan, resnet, dcgan/);
  t.throws(() => buildDiscriminator('toString' as ArchitectureName, { ...options, rotationHead: false, classifierHead: false }), {
    instanceOf: UserError,
  });
});

for (const architecture of ARCHITECTURE_NAMES) {
  for (const variant of VARIANTS) {
    test(`${architecture}, ${variant.name}: a D step changes only D, a G step only G; no tensor leaks`, (t) => {
      const m = models(architecture, variant.conditional, variant.rotation);
      // The paper's Adam settings: larger rates can kill every ReLU of a width-2 ResNet D on fakes
      // within two steps, and then G's gradient is exactly zero.
      const dOptimizer = tf.train.adam(2e-4, 0, 0.999);
      const gOptimizer = tf.train.adam(2e-4, 0, 0.999);
      const inputs = batch(10);
      // Build the networks and the optimizers' slots before measuring.
      discriminatorStep(m, dOptimizer, inputs, OPTIONS);
      generatorStep(m, gOptimizer, inputs, OPTIONS);
      const before = tf.memory().numTensors;

      const gVars = trainableVariables(m.generator);
      const dTrainable = trainableVariables(m.discriminator);
      let g0 = snapshot(gVars);
      let d0 = snapshot(dTrainable);
      const d = discriminatorStep(m, dOptimizer, inputs, OPTIONS);
      t.true(changed(g0, gVars).every((c) => !c), "D step leaves G's trainable weights bit-identical");
      t.true(changed(d0, dTrainable).some((c) => c), 'D step updates D');
      t.true(Number.isFinite(d.dLoss));
      t.is(Number.isNaN(d.dRotationLoss), !variant.rotation);

      // D runs in inference mode in the G step, so none of its weights moves, statistics included.
      const dAll = allVariables(m.discriminator);
      g0 = snapshot(gVars);
      d0 = snapshot(dAll);
      const g = generatorStep(m, gOptimizer, inputs, OPTIONS);
      t.true(changed(d0, dAll).every((c) => !c), "G step leaves all of D's weights bit-identical");
      t.true(changed(g0, gVars).some((c) => c), 'G step updates G');
      t.true(Number.isFinite(g.gLoss));

      t.is(tf.memory().numTensors, before, 'no tensor leaked over one D and one G step');
      tf.dispose(Object.values(inputs));
    });
  }
}
