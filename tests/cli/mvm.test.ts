/**
 * MvM from the command line on real MNIST (8×8, tiny networks): mvm through the baselines pipeline
 * (GAN stage only), cmvm through pretrain → pseudo-label → GAN; samples, the export and the curves
 * of the GAN stage; a bad MvM key is refused naming it, with the run directory left untouched.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { dirSnapshot, runMetrics, s3gan, tempDir } from './helpers.js';

const TINY = [
  '--set', 'backend.name=cpu',
  '--set', 'data.imageSize=8',
  '--set', 'data.fit=resize',
  '--set', 'labels.perClass=4',
  '--set', 'pretrain.width=2',
  '--set', 'pretrain.batchSize=8',
  '--set', 'pretrain.steps=2',
  '--set', 'pretrain.heldOutFraction=0.002',
  '--set', 'pretrain.logHeldOutImages=16',
  '--set', 'pseudoLabel.folds=2',
  '--set', 'pseudoLabel.l2Strengths=[1]',
  '--set', 'gan.width=2',
  '--set', 'gan.zDim=4',
  '--set', 'gan.batchSize=8',
  '--set', 'gan.metricWidth=2',
  '--set', 'gan.metricEmbeddingSize=3',
  '--set', 'gan.logEverySteps=1',
  '--set', 'gan.sampleEverySteps=0',
  '--set', 'gan.checkpointEverySteps=2',
];

const PIPELINES: readonly (readonly [method: string, stages: readonly string[]])[] = [['mvm', ['gan']], ['cmvm', ['pretrain', 'pseudo-label', 'gan']]];

for (const [method, stages] of PIPELINES) {
  test.serial(`run with gan.method=${method}: the ${stages.join(' → ')} pipeline, samples, export and the matching curves`, (t) => {
    const run = path.join(tempDir(`s3gan-cli-${method}-`), 'run');
    const result = s3gan(['run', '--run', run, '--set', `gan.method=${method}`, '--set', 'gan.steps=3', ...TINY]);
    t.is(result.code, 0, result.stderr);
    const manifest = JSON.parse(readFileSync(path.join(run, 'manifest.json'), 'utf8')) as { stages: Record<string, { status: string }> };
    for (const stage of stages) t.is(manifest.stages[stage]?.status, 'done', stage);
    if (!stages.includes('pretrain')) t.false('pretrain' in manifest.stages, 'the baselines pipeline runs the GAN stage alone');
    for (const file of ['gan/samples/step-00000003.png', 'gan/export/generator/model.json', 'gan/export/generator-ema/model.json', 'gan/curves/metric-loss.png', 'gan/curves/matching-loss.png']) {
      t.true(existsSync(path.join(run, file)), file);
    }
    t.false(existsSync(path.join(run, 'gan/checkpoints/step-00000003/discriminator')), 'no discriminator');
    const records = runMetrics(run).filter((r) => r.stage === 'gan');
    t.deepEqual(records.map((r) => r.step), [1, 2, 3]);
    for (const key of ['matchingLoss', 'matchingDiameter', 'matchingCentroid', 'metricLoss']) t.true(records.every((r) => Number.isFinite(r[key] as number)), key);
    const sample = s3gan(['sample', '--run', run, '--ema', '-n', '4', '--out', path.join(run, 'grid.png'), '--set', 'backend.name=cpu']);
    t.is(sample.code, 0, sample.stderr);
  });
}

test('a bad MvM value is a UserError naming its key, and nothing is written', (t) => {
  const run = path.join(tempDir('s3gan-cli-mvm-bad-'), 'run');
  const before = dirSnapshot(path.dirname(run));
  const result = s3gan(['train', '--run', run, '--method', 'mvm', '--steps', '3', ...TINY, '--set', 'gan.metricEmbeddingSize=0']);
  t.is(result.code, 2, result.stderr);
  t.regex(result.stderr, /gan\.metricEmbeddingSize/);
  t.notRegex(result.stderr, /\n\s+at /, 'no stack trace');
  t.deepEqual(dirSnapshot(path.dirname(run)), before);
});
