import test from 'ava';
import { ganSchema } from '../../../../src/config/schema.js';
import { METHODS, type MethodName } from '../../../../src/methods/methods.js';
import { buildObjective, headsObjective, methodObjective, TERM_NAMES } from '../../../../src/training/gan/objective/index.js';
import { UserError } from '../../../../src/util/errors.js';

/** Each method's D and G terms as `name×weight`, in summation order. */
function terms(method: MethodName, overrides: Record<string, unknown> = {}): { d: string[]; g: string[] } {
  const objective = methodObjective(METHODS[method], ganSchema.parse(overrides));
  const show = (network: 'discriminator' | 'generator') => objective.termsOf(network).map((term) => `${term.name}×${term.weight}`);
  return { d: show('discriminator'), g: show('generator') };
}

const PLAIN = { d: ['adversarial×1'], g: ['adversarial×1'] };
const ROTATION = { d: ['adversarial×1', 'rotation×1'], g: ['adversarial×1', 'rotation×0.2'] };
const EXPECTED: Record<MethodName, { d: string[]; g: string[] }> = {
  s3gan: ROTATION,
  s2gan: PLAIN,
  's3gan-co': { d: ['adversarial×1', 'rotation×1', 'classification×1'], g: ['adversarial×1', 'rotation×0.2'] },
  's2gan-co': { d: ['adversarial×1', 'classification×1'], g: ['adversarial×1'] },
  ssgan: ROTATION,
  gan: PLAIN,
  'cgan-full': PLAIN,
  's3gan-full': ROTATION,
  'cgan-few': PLAIN,
  'cgan-kmeans': PLAIN,
  'cgan-random': PLAIN,
  mmgan: { d: ['adversarial×1'], g: ['manifold×1'] },
  // MvM: no D term; G matches manifolds in the metric network's embedding.
  mvm: { d: [], g: ['manifoldMatching×1'] },
  cmvm: { d: [], g: ['manifoldMatching×1'] },
};

test('every method gets its terms, in the order the S3GAN family sums them, with the default weights', (t) => {
  for (const method of Object.keys(METHODS) as MethodName[]) t.deepEqual(terms(method), EXPECTED[method], method);
});

test('the weights come from the config: w_d and w_g', (t) => {
  t.deepEqual(terms('s3gan-co', { rotationWeightD: 0.5, rotationWeightG: 0 }), {
    d: ['adversarial×1', 'rotation×0.5', 'classification×1'],
    g: ['adversarial×1', 'rotation×0'],
  });
});

test("a method's D heads follow from its objective", (t) => {
  for (const method of Object.values(METHODS)) {
    t.is(method.rotation, method.objective.includes('rotation'), method.name);
    t.is(method.coTraining, method.objective.includes('classification'), method.name);
  }
});

test('the terms log under the metrics.jsonl keys of the S3GAN family, and ask D for the right rotated images', (t) => {
  const objective = methodObjective(METHODS['s3gan-co'], ganSchema.parse({}));
  t.deepEqual(objective.terms.map((term) => [term.network, term.lossKey, term.rotated ?? null]), [
    ['discriminator', null, null],
    ['generator', null, null],
    ['discriminator', 'dRotationLoss', 'real'],
    ['generator', 'gRotationLoss', 'fake'],
    ['discriminator', 'dClassifierLoss', null],
  ]);
  t.true(objective.rotates('discriminator', 'real'));
  t.false(objective.rotates('discriminator', 'fake'));
  t.true(objective.rotates('generator', 'fake'));
  t.false(objective.generatorReadsReal);
  t.is(objective.realLabelsTerm?.name, 'classification');
  t.deepEqual(objective.stateTensors(), {});
  t.deepEqual(objective.networks, []);
});

test('headsObjective: the objective the heads imply, classifier weight from the settings', (t) => {
  const settings = { loss: 'hinge' as const, rotationWeightD: 2, rotationWeightG: 0.1, classifierWeight: 3 };
  const objective = headsObjective({ rotation: true, coTraining: true }, { settings });
  t.deepEqual(objective.termsOf('discriminator').map((term) => `${term.name}×${term.weight}`), ['adversarial×1', 'rotation×2', 'classification×3']);
  t.deepEqual(headsObjective({ rotation: false, coTraining: false }, { settings }).terms.map((term) => term.name), ['adversarial', 'adversarial']);
});

test('an unknown term is a UserError listing the known ones; a negative rotation weight is refused', (t) => {
  const settings = { loss: 'hinge' as const, rotationWeightD: 1, rotationWeightG: 0.2 };
  const error = t.throws(() => buildObjective(['adversarial', 'rotaton'], { settings }), { instanceOf: UserError });
  t.is(error?.message, `unknown objective term 'rotaton'; known: ${TERM_NAMES.join(', ')}`);
  t.throws(() => buildObjective(['rotation'], { settings: { ...settings, rotationWeightD: -1 } }), { message: /rotationWeightD/ });
});
