import test from 'ava';
import { writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tempDir as makeTempDir } from '../temp.js';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { UserError } from '../../src/util/errors.js';

function tempDir(): string {
  return makeTempDir('s3gan-config-');
}

test('defaults fill every section and the result is frozen', async (t) => {
  const { config, files } = await loadConfig({ cwd: tempDir() });
  t.deepEqual(files, []);
  t.is(config.data.name, 'mnist');
  t.is(config.gan.batchSize, 64);
  t.is(config.labels.fraction, 0.01);
  t.is(config.backend.name, 'auto');
  t.true(Object.isFrozen(config) && Object.isFrozen(config.gan));
});

test('a preset that extends another, with a typed --set override', async (t) => {
  const { config, files } = await loadConfig({ configFile: 'configs/fashion-mnist.yaml', overrides: ['gan.batchSize=32'] });
  t.is(files.length, 2, 'mnist.yaml then fashion-mnist.yaml');
  t.regex(files[0], /configs\/mnist\.yaml$/);
  t.is(config.data.name, 'fashion-mnist');
  t.is(config.gan.batchSize, 32);
  t.is(typeof config.gan.batchSize, 'number');
  t.is(config.gan.steps, 3000, 'fashion-mnist sets its own steps');
  t.is(config.gan.width, 32, 'inherited from mnist');
  t.is(config.gan.modeSeekingWeight, 0.05, 'inherited from mnist');
});

test('--set types values by the schema', async (t) => {
  const { config } = await loadConfig({
    cwd: tempDir(),
    overrides: ['run.dir=123', 'data.skipCorrupt=true', 'eval.metrics=fid,kid', 'pseudoLabel.block=2', 'labels.perClass=10'],
  });
  t.is(config.run.dir, '123');
  t.true(config.data.skipCorrupt);
  t.deepEqual(config.eval.metrics, ['fid', 'kid']);
  t.is(config.pseudoLabel.block, 2);
  t.is(config.labels.perClass, 10);
  t.is(config.labels.fraction, undefined, 'perClass replaces the default fraction');
});

test('a typo in --set fails with the nearest valid key', async (t) => {
  const error = await t.throwsAsync(loadConfig({ cwd: tempDir(), overrides: ['gan.batchSzie=32'] }), { instanceOf: UserError });
  t.regex(error.message, /--set gan\.batchSzie=32: unknown key 'gan\.batchSzie' \(did you mean 'gan\.batchSize'\?\)/);
});

test('a typo in a config file names the file, the line and the suggestion', async (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, 's3gan.config.yaml'), 'gan:\n  batchSize: 16\n  lerningRate: 3\n');
  const error = await t.throwsAsync(loadConfig({ cwd: dir }), { instanceOf: UserError });
  t.regex(error.message, /unknown key 'gan\.lerningRate' \(did you mean 'gan\.gLearningRate'\?\)/);
  t.regex(error.message, /s3gan\.config\.yaml, line 3/);
});

test('wrong types and out-of-range values name the key and the source', async (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, '.s3ganrc.json'), JSON.stringify({ gan: { width: 'wide' } }));
  const typeError = await t.throwsAsync(loadConfig({ cwd: dir }), { instanceOf: UserError });
  t.regex(typeError.message, /gan\.width: .*expected number.*got "wide".*\.s3ganrc\.json/);

  for (const fraction of ['0', '-0.5', '1.01']) {
    const error = await t.throwsAsync(loadConfig({ cwd: tempDir(), overrides: [`labels.fraction=${fraction}`] }), { instanceOf: UserError });
    t.regex(error.message, /labels\.fraction: must be > 0 and ≤ 1/);
  }
  const notNumber = await t.throwsAsync(loadConfig({ cwd: tempDir(), overrides: ['gan.steps=many'] }), { instanceOf: UserError });
  t.regex(notNumber.message, /--set gan\.steps=many: expected a number/);
});

test('an unknown enum value gets a suggestion', async (t) => {
  const error = await t.throwsAsync(loadConfig({ cwd: tempDir(), overrides: ['data.name=mnsit'] }), { instanceOf: UserError });
  t.regex(error.message, /data\.name: .*got "mnsit" \(did you mean 'mnist'\?\)/);
});

test('fraction and perClass together are refused', async (t) => {
  const error = await t.throwsAsync(loadConfig({ cwd: tempDir(), overrides: ['labels.fraction=0.1', 'labels.perClass=5'] }), {
    instanceOf: UserError,
  });
  t.regex(error.message, /labels\.fraction and labels\.perClass exclude each other/);
});

test('cosmiconfig finds package.json "s3gan" key and .s3ganrc.yaml; extends resolves relative files', async (t) => {
  const pkgDir = tempDir();
  writeFileSync(join(pkgDir, 'package.json'), JSON.stringify({ name: 'x', s3gan: { gan: { steps: 7 } } }));
  t.is((await loadConfig({ cwd: pkgDir })).config.gan.steps, 7);

  const rcDir = tempDir();
  mkdirSync(join(rcDir, 'base'));
  writeFileSync(join(rcDir, 'base', 'common.yaml'), 'gan:\n  steps: 11\n  width: 8\n');
  writeFileSync(join(rcDir, '.s3ganrc.yaml'), 'extends: ./base/common.yaml\ngan:\n  width: 16\n');
  const { config } = await loadConfig({ cwd: rcDir });
  t.is(config.gan.steps, 11);
  t.is(config.gan.width, 16);
});

test('bad --config path, unknown preset and extends cycles are clear errors', async (t) => {
  const missing = await t.throwsAsync(loadConfig({ configFile: '/nonexistent/x.yaml' }), { instanceOf: UserError });
  t.regex(missing.message, /--config \/nonexistent\/x\.yaml: file not found/);

  const dir = tempDir();
  writeFileSync(join(dir, 'a.yaml'), 'extends: mnsit\n');
  const preset = await t.throwsAsync(loadConfig({ configFile: join(dir, 'a.yaml') }), { instanceOf: UserError });
  t.regex(preset.message, /extends 'mnsit': no such preset \(did you mean 'mnist'\?\)/);

  writeFileSync(join(dir, 'b.yaml'), 'extends: ./c.yaml\n');
  writeFileSync(join(dir, 'c.yaml'), 'extends: ./b.yaml\n');
  const cycle = await t.throwsAsync(loadConfig({ configFile: join(dir, 'b.yaml') }), { instanceOf: UserError });
  t.regex(cycle.message, /cycle/);
});

test('every shipped preset validates', async (t) => {
  for (const preset of ['mnist', 'fashion-mnist', 'cifar10'] as const) {
    const { config } = await loadConfig({ configFile: `configs/${preset}.yaml` });
    t.is(config.data.name, preset);
  }
  const files = readdirSync('configs').filter((name) => name.endsWith('.yaml'));
  t.true(files.length >= 6, files.join(', '));
  for (const file of files) await t.notThrowsAsync(loadConfig({ configFile: `configs/${file}` }), file);
  const target = await loadConfig({ configFile: 'configs/fashion-1k.yaml' });
  t.is(target.config.data.name, 'fashion-mnist');
  t.is(target.config.labels.perClass, 100);
  t.is(target.config.gan.method, 'cgan-few');
});
